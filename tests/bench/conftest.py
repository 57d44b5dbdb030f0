from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection


@pytest.fixture
def bench_database_url(tmp_path) -> str:
    """A throwaway database of the suite's kind: a temp SQLite file, or `<test db>_bench` beside the
    PostgreSQL test database (the runner drops and creates databases named *bench*)."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}_bench"))
