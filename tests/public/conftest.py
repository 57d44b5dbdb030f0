import pytest

from qrtrace.public.selectors import announcements_cache_clear


@pytest.fixture(autouse=True)
def _fresh_announcements():
    """Each test starts and ends with no announcements kept in this process's memory (its database
    rows are rolled back, a copy in memory would outlive them)."""
    announcements_cache_clear()
    yield
    announcements_cache_clear()
