"""Person now lives in the people app (people/0001): re-point the foreign keys in state only, before
checkins forgets its model. The columns and constraints already reference the same table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("tracing", "0005_tracejob_retries_move_to_tasks"),
    ]
    run_before = [("checkins", "0007_person_moved_to_people")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="cases", to="people.person"
                    ),
                ),
                migrations.AlterField(
                    model_name="exposure",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="exposures", to="people.person"
                    ),
                ),
                migrations.AlterField(
                    model_name="exposure",
                    name="source_person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="people.person"
                    ),
                ),
            ]
        )
    ]
