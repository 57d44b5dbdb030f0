"""Issue 12 §1: a declaration no longer changes the stored person, so what was declared is kept with
the check-in (the name as typed when it differs, the residence declared), and a remembered phone says
why it is trusted. Existing devices get no trust ("" = remembered before phones had to be proven):
any of them may have been an attacker's, so they see no cards or family until proven by SMS.

On PostgreSQL the check-in table is partitioned by day: ADD COLUMN on the parent reaches every
partition, and with a constant default (or none) it changes the catalogue only, without rewriting
rows or holding off check-ins for long. The defaults stay in the database (`db_default`), so the
release before, still running while this one is rolled out, goes on inserting check-ins and devices.
"""

import django.db.models.deletion
from django.db import migrations, models


def _checks_immediate(apps, schema_editor):
    """Inside a transaction, PostgreSQL will not alter a table whose deferred foreign-key checks are
    still queued (a test migrating back and forth; as in 0005 and 0006)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0008_checkin_client_id_sms"),
        ("geo", "0001_initial"),
    ]

    operations = [
        # First and last, so that it runs before the table changes in either direction.
        migrations.RunPython(_checks_immediate, _checks_immediate, elidable=True),
        migrations.AddField(
            model_name="checkin",
            name="declared_commune",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="geo.commune",
                verbose_name="residence as declared",
            ),
        ),
        migrations.AddField(
            model_name="checkin",
            name="declared_name",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=120, verbose_name="name as declared"
            ),
        ),
        migrations.AddField(
            model_name="device",
            name="trust",
            field=models.CharField(
                blank=True,
                choices=[
                    ("created", "Declared the person first"),
                    ("sms", "Proved the phone number by SMS code"),
                    ("", "Remembered before phones had to be proven"),
                ],
                db_default="",
                default="",
                max_length=8,
            ),
        ),
        migrations.RunPython(_checks_immediate, _checks_immediate, elidable=True),
    ]
