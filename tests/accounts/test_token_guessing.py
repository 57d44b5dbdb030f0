"""Wrong API tokens are limited per client address, behind a reverse proxy too."""

import pytest

from qrtrace.accounts import auth
from qrtrace.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.QRTRACE_RATELIMIT_BAD_TOKEN_IP_PER_HOUR = 3
    auth._refused_until.clear()
    yield
    auth._refused_until.clear()


def _me(client, token: str, forwarded_for: str | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return client.get("/api/v1/me", headers=headers)


def test_wrong_tokens_beyond_the_limit_get_429_without_a_database_lookup(client, django_assert_num_queries):
    assert [_me(client, f"qrt_guess-{n}").status_code for n in range(3)] == [401, 401, 401]
    assert _me(client, "qrt_guess-3").status_code == 429
    with django_assert_num_queries(0):
        response = _me(client, "qrt_guess-4")
    assert response.status_code == 429
    assert response.json()["detail"]


def test_a_token_this_process_knows_still_works_from_a_refused_address(client, commune_official):
    token = api_token_create(user=commune_official)
    assert _me(client, token).status_code == 200  # now cached
    for n in range(4):
        _me(client, f"qrt_guess-{n}")
    assert _me(client, "qrt_guess-5").status_code == 429
    assert _me(client, token).status_code == 200


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(client, settings):
    settings.QRTRACE_TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's address plays the proxy
    for n in range(4):
        _me(client, f"qrt_guess-{n}", forwarded_for="203.0.113.5")
    assert _me(client, "qrt_guess-9", forwarded_for="203.0.113.5").status_code == 429
    assert _me(client, "qrt_guess-9", forwarded_for="203.0.113.6").status_code == 401


def test_without_a_trusted_proxy_the_header_is_ignored(client):
    # A client cannot escape its bucket by writing X-Forwarded-For itself.
    for n in range(4):
        _me(client, f"qrt_guess-{n}", forwarded_for=f"198.51.100.{n}")
    assert _me(client, "qrt_guess-9", forwarded_for="203.0.113.77").status_code == 429
