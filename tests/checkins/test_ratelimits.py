import pytest
from django.db import connection
from django.test import Client

from qrtrace.accounts.services import api_token_create
from qrtrace.checkins.models import CheckIn
from qrtrace.lib.models import TokenBucket
from qrtrace.lib.ratelimit import ratelimit_holds_rows
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue
from tests import actors

from .conftest import declaration_form

pytestmark = pytest.mark.django_db


def _browser(csrf: str) -> Client:
    """A phone's browser: the CSRF cookie it got with the form is what identifies it."""
    client = Client()
    client.cookies["csrftoken"] = csrf
    return client


def _phone(n: int) -> str:
    return f"091234{n:04d}"


def test_one_phone_checking_in_too_often_gets_a_429_page_that_keeps_what_was_typed(scan_url, settings):
    settings.QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE = 2
    phone = _browser("a" * 32)
    for n in range(2):
        assert phone.post(scan_url, declaration_form(phone=_phone(n), remember="")).status_code == 302
    refused = phone.post(scan_url, declaration_form(full_name="Lê Thị Hoa", phone=_phone(9), remember=""))
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "Quá nhiều lượt" in page and 'value="Lê Thị Hoa"' in page
    assert CheckIn.objects.count() == 2 and not Person.objects.filter(full_name="Lê Thị Hoa").exists()


def test_other_phones_behind_the_same_address_are_not_held_back_by_one_busy_phone(scan_url, settings):
    settings.QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE = 1
    busy, other = _browser("a" * 32), _browser("b" * 32)
    busy.post(scan_url, declaration_form(phone=_phone(1), remember=""))
    assert busy.post(scan_url, declaration_form(phone=_phone(2), remember="")).status_code == 429
    assert other.post(scan_url, declaration_form(phone=_phone(3), remember="")).status_code == 302


def test_one_address_is_limited_across_phones_but_another_address_is_not(scan_url, settings):
    settings.QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE = 2
    for n in range(2):
        _browser(f"{n}" * 32).post(scan_url, declaration_form(phone=_phone(n), remember=""))
    third = _browser("c" * 32).post(scan_url, declaration_form(phone=_phone(3), remember=""))
    elsewhere = _browser("d" * 32).post(
        scan_url, declaration_form(phone=_phone(4), remember=""), REMOTE_ADDR="203.0.113.9"
    )
    assert (third.status_code, elsewhere.status_code) == (429, 302)
    assert CheckIn.objects.count() == 3


def test_the_default_limits_let_a_shops_shared_wifi_through(scan_url):
    for n in range(40):
        assert (
            _browser(f"{n:032d}").post(scan_url, declaration_form(phone=_phone(n), remember="")).status_code
            == 302
        )


def test_the_authenticated_api_is_not_rate_limited(client, venue, commune_official, settings):
    settings.QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE = 1
    settings.QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE = 1
    headers = {"Authorization": f"Bearer {api_token_create(user=commune_official)}"}
    statuses = {
        client.post(
            "/api/v1/checkins",
            {"venue_code": venue.code, "person": {"phone": _phone(n), "full_name": f"Người {n}"}},
            content_type="application/json",
            headers=headers,
        ).status_code
        for n in range(5)
    }
    assert statuses == {201}


def test_the_eleventh_venue_application_from_one_address_in_an_hour_is_a_429_that_keeps_the_form(client):
    form = {"kind": "shop", "address": "1 Lê Lợi", "commune": actors.COMMUNE_A, "contact_phone": "0912345678"}
    for n in range(10):
        assert client.post("/venues/register", form | {"name": f"Cửa hàng {n}"}).status_code == 200
    refused = client.post("/venues/register", form | {"name": "Tạp hoá Lan"})
    assert refused.status_code == 429
    assert 'value="Tạp hoá Lan"' in refused.content.decode()
    assert Venue.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_new_phones_declaration_writes_its_tokens_person_visit_and_device_in_one_transaction(
    scan_url, monkeypatch
):
    """One COMMIT per declaration on SQLite (one turn of the write lock), with the attempt's tokens
    taken in it: a write outside it would be a transaction of its own. On PostgreSQL the tokens are
    one statement of their own just before it (atomic alone), so the address's bucket row is not
    locked while the check-in is written (everyone behind one Wi-Fi address would queue)."""
    commits, outside = [], []
    commit = connection._commit
    monkeypatch.setattr(connection, "_commit", lambda: commits.append(1) or commit())

    def watch(execute, sql, params, many, context):
        if (
            sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))
            and not connection.in_atomic_block
        ):
            outside.append("tokens" if "lib_tokenbucket" in sql else sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        response = _browser("a" * 32).post(scan_url, declaration_form(phone=_phone(1)))
    assert response.status_code == 302 and "qrt_device" in response.cookies  # remembered: a device row
    assert (len(commits), outside) == (1, ["tokens"] if ratelimit_holds_rows() else [])
    assert (CheckIn.objects.count(), TokenBucket.objects.count()) == (1, 2)  # the phone's and the address's
