import pytest

from qrtrace.accounts.services import api_token_create
from tests import actors


@pytest.fixture
def venue(db):
    return actors.make_venue()


@pytest.fixture
def venue_manager(venue):
    return actors.make_official("quan_ly", "venue", venue.code)


@pytest.fixture
def bearer():
    """Authorization headers for an official's fresh API token."""

    def headers(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_token_create(user=user)}"}

    return headers
