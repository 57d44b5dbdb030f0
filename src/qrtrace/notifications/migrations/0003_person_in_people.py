"""Person now lives in the people app (people/0001): re-point the foreign key in state only, before
checkins forgets its model. The column and constraint already reference the same table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_priority_and_cancel"),
        ("people", "0001_initial"),
    ]
    run_before = [("checkins", "0007_person_moved_to_people")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="people.person"
                    ),
                ),
            ]
        )
    ]
