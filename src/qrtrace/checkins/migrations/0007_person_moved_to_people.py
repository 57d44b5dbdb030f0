"""Person now lives in the people app (people/0001 says how): the check-ins' and devices' foreign
keys point at it there, and checkins forgets the model. State only: the table and its constraints
stay as they are (an AlterField here would copy the whole check-in table on SQLite)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0006_checkin_venue_cover"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checkin",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checkins",
                        to="people.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="device",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="devices", to="people.person"
                    ),
                ),
                migrations.DeleteModel(name="Person"),
            ]
        )
    ]
