import pytest
from django.db import connection

from tests import actors


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL; on SQLite they are skipped with the reason."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: run `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make test` "
        "(CI does; this machine's run is on SQLite)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_announcements():
    """Each test starts and ends with no announcements kept in this process's memory (the public app
    keeps them for the check-in confirmation; a test's rows are rolled back, a copy would outlive them)."""
    from qrtrace.dashboard.receivers import restricted_areas_cache_clear
    from qrtrace.dashboard.selectors import sums_cache_clear
    from qrtrace.public.selectors import announcements_cache_clear

    for clear in (announcements_cache_clear, restricted_areas_cache_clear, sums_cache_clear):
        clear()  # restricted areas: the scan page's; sums: the dashboard's, named by refresh ids
    yield
    for clear in (announcements_cache_clear, restricted_areas_cache_clear, sums_cache_clear):
        clear()


@pytest.fixture
def province_official(db):
    return actors.make_official("cdc", "province", actors.PROVINCE)


@pytest.fixture
def commune_official(db):
    return actors.make_official("tram_a", "commune", actors.COMMUNE_A)


@pytest.fixture
def other_commune_official(db):
    return actors.make_official("tram_b", "commune", actors.COMMUNE_B)


@pytest.fixture
def admin_user(db):
    return actors.make_admin()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
