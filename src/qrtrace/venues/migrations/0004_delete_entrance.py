# Entrance (named gates of a venue) was never used by any page, API or service.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('venues', '0003_opening_hours'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Entrance',
        ),
    ]
