"""Person moves from checkins to people; its table does not move.

The table keeps its name, `checkins_person`, and nothing in the database changes: the model's state
is created here (the table checkins' migrations made, as checkins/0006 left it), each foreign key to
it is re-pointed in its own app's state (checkins/0007, tracing/0006, notifications/0003) and checkins
then forgets the model. Renaming the table would gain nothing but work: on PostgreSQL the day-partitioned
check-in table and every other table reference it, and raw statements and operators' notes
(docs/scaling.md) name it. Only the content type row follows the model, so permissions and admin
history stay attached to it.
"""

import django.db.models.deletion
from django.db import migrations, models

import qrtrace.lib.crypto


def _move_content_type(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model="person").exists():
        types.filter(app_label=source, model="person").update(app_label=target)


def content_type_to_people(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="checkins", target="people")


def content_type_to_checkins(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="people", target="checkins")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("geo", "0001_initial"),
        # The table exists, in the shape created below, once checkins' own migrations have run.
        ("checkins", "0006_checkin_venue_cover"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(content_type_to_people, content_type_to_checkins)],
            state_operations=[
                migrations.CreateModel(
                    name="Person",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("full_name", models.CharField(max_length=120, verbose_name="full name")),
                        (
                            "phone",
                            qrtrace.lib.crypto.EncryptedTextField(blank=True, null=True, verbose_name="phone"),
                        ),
                        ("phone_hash", models.CharField(blank=True, db_index=True, max_length=40, null=True)),
                        (
                            "citizen_id",
                            qrtrace.lib.crypto.EncryptedTextField(
                                blank=True, null=True, verbose_name="citizen ID"
                            ),
                        ),
                        ("citizen_id_hash", models.CharField(blank=True, max_length=40, null=True, unique=True)),
                        (
                            "birth_year",
                            models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="birth year"),
                        ),
                        ("personal_code", models.CharField(blank=True, max_length=12, null=True, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "commune",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="geo.commune",
                            ),
                        ),
                        (
                            "guardian",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="wards",
                                to="people.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "checkins_person",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("guardian__isnull", True)),
                                fields=("phone_hash",),
                                name="person_unique_phone",
                            )
                        ],
                    },
                ),
            ],
        )
    ]
