"""A gate device's own id for each visit (`client_id`), unique with the time of entry, so a batch sent
twice records nothing twice; and SMS as a way to check in and out.

The column is NULL for every existing row, so adding it rewrites nothing on either database. On
PostgreSQL the unique index is built on the day-partitioned table (each partition gets its own),
under a lock that holds check-ins off while it scans: a few seconds for 10 M rows, as the partial
index holds no existing row. The choices change only Django's state.
"""

from django.db import migrations, models


def _checks_now(apps, schema_editor):
    # PostgreSQL will not alter a table whose deferred foreign-key checks are still queued in this
    # transaction (a test migrating back and forth inside one), as in 0005 and 0006.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [("checkins", "0007_person_moved_to_people")]

    operations = [
        migrations.RunPython(_checks_now, _checks_now, elidable=True),
        migrations.AddField(
            model_name='checkin',
            name='client_id',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='checkin',
            name='checkout_method',
            field=models.CharField(blank=True, choices=[('button', 'Check-out button'), ('rescan', 'Scanned the code again'), ('staff', 'By staff'), ('auto', 'Automatic after the usual stay'), ('api', 'Integration / gate device'), ('sms', 'Text message (SMS)')], max_length=8),
        ),
        migrations.AlterField(
            model_name='checkin',
            name='method',
            field=models.CharField(choices=[('self_scan', "Scanned the venue's code"), ('staff_scan', 'Staff scanned the personal code'), ('staff_entry', 'Entered by staff'), ('api', 'Integration / gate device'), ('sms', 'Text message (SMS)')], max_length=12),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.UniqueConstraint(condition=models.Q(('client_id__isnull', False)), fields=('client_id', 'entered_at'), name='checkin_client_once'),
        ),
        migrations.RunPython(_checks_now, _checks_now, elidable=True),
]
