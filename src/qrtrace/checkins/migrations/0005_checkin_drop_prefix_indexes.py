"""Drop the single-column indexes Django made for CheckIn.venue and CheckIn.person: the composite
indexes (venue, left_at), (venue, entered_at) and (person, entered_at) lead with the same columns, so
they answered nothing the others do not, and cost a write on every check-in.

Only the indexes go: Django's AlterField would also drop and re-add the foreign keys (PostgreSQL) or
copy the whole table (SQLite), minutes of locking on a province's 100-200 M rows for no change.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "checkins_checkin_person_id_be19a300": "person_id",
    "checkins_checkin_venue_id_543754e3": "venue_id",
}


def drop(apps, schema_editor):
    # On a partitioned table, dropping the parent's index drops every partition's copy.
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # PostgreSQL will not index a table whose deferred foreign-key checks are still queued.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON checkins_checkin ({column})")


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0004_partition_checkins_by_day"),
        ("venues", "0003_opening_hours"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop, create),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="checkin",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checkins",
                        to="checkins.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="checkin",
                    name="venue",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="venues.venue",
                    ),
                ),
            ],
        )
    ]
