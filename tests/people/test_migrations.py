"""Person moved from checkins to people without touching the database (people/migrations/0001)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from qrtrace.people.models import Person
from tests import actors

pytestmark = pytest.mark.django_db

MOVE = [
    ("people", "0001_initial"),
    ("tracing", "0006_person_in_people"),
    ("notifications", "0003_person_in_people"),
    ("checkins", "0007_person_moved_to_people"),
]


@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_changes_models_in_state_only_and_no_table(app, name):
    (operation,) = MigrationLoader(None, ignore_no_migrations=True).get_migration(app, name).operations
    assert isinstance(operation, migrations.SeparateDatabaseAndState)
    # In the database, at most the content type row follows the model.
    assert all(isinstance(step, migrations.RunPython) for step in operation.database_operations)


@pytest.mark.postgres  # SQLite cannot run a schema editor inside the test's transaction
def test_undoing_the_move_gives_checkins_back_the_model_and_keeps_every_person():
    person = actors.make_person()
    ContentType.objects.get_for_model(Person)  # as the first migrate's post_migrate hook makes it
    try:
        MigrationExecutor(connection).migrate([("people", None)])
        assert ContentType.objects.filter(app_label="checkins", model="person").exists()
        MigrationExecutor(connection).migrate([("checkins", "0007_person_moved_to_people")])
        assert ContentType.objects.filter(app_label="people", model="person").count() == 1
        assert not ContentType.objects.filter(app_label="checkins", model="person").exists()
        assert Person.objects.get().phone == person.phone
    finally:
        ContentType.objects.clear_cache()  # the rows it caches go with the test's transaction
