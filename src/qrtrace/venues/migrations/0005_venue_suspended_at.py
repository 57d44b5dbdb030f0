# When a venue was suspended: API check-ins of visits from before then are still accepted.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('venues', '0004_delete_entrance'),
    ]

    operations = [
        migrations.AddField(
            model_name='venue',
            name='suspended_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
