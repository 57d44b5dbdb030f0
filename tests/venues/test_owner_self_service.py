"""A venue's owner runs it without the command line: on approval they get a one-time link by SMS,
set a password with it, print the poster and add their gate staff."""

import re

import pytest
from django.urls import reverse

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_use_gate
from qrtrace.notifications.models import Message
from qrtrace.venues.services import venue_approve, venue_suspend
from tests import actors

pytestmark = pytest.mark.django_db

PASSWORD = "quán mới mở cửa 2026"


@pytest.fixture
def approved(commune_official):
    venue = actors.make_venue("Quán Mới", status="pending", contact_phone="+84912345678")
    venue_approve(actor=commune_official, venue=venue)
    return venue


def _link(venue) -> str:
    message = Message.objects.get(reference=f"venue_owner:{venue.code}")
    assert message.address == "+84912345678"
    return re.search(r"/accounts/welcome/\S+", message.body).group(0)


def test_approval_texts_the_owner_a_link_to_their_new_account(approved):
    owner = User.objects.get(username=f"owner-{approved.code.lower()}")
    assert not owner.has_usable_password()
    assert can_use_gate(owner, approved)
    body = Message.objects.get(reference=f"venue_owner:{approved.code}").body
    assert "Quán Mới đã được duyệt" in body and owner.username in body


def test_the_link_sets_a_password_once_and_signs_the_owner_in(client, approved):
    path = _link(approved)
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("venues:list")
    assert client.get(reverse("venues:poster", args=[approved.pk])).status_code == 200  # the poster PDF
    client.logout()
    assert client.get(path).status_code == 404  # used: it opens nothing a second time
    assert client.login(username=f"owner-{approved.code.lower()}", password=PASSWORD)


def test_a_forged_link_opens_nothing(client, approved):
    owner = User.objects.get(username=f"owner-{approved.code.lower()}")
    assert client.get(f"/accounts/welcome/{owner.pk}/1-abc").status_code == 404


def test_the_owner_adds_gate_staff_who_can_then_use_the_gate(client, approved):
    owner = User.objects.get(username=f"owner-{approved.code.lower()}")
    client.force_login(owner)
    response = client.post(
        reverse("venues:staff_add", args=[approved.pk]),
        {"username": "cong_1", "full_name": "Lê Văn Cổng", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    staff = User.objects.get(username="cong_1")
    assert can_use_gate(staff, approved) and staff.check_password("correct horse battery staple")
    assert "Lê Văn Cổng" in client.get(reverse("venues:detail", args=[approved.pk])).content.decode()


def test_adding_staff_never_takes_over_an_existing_account(client, approved, province_official):
    owner = User.objects.get(username=f"owner-{approved.code.lower()}")
    client.force_login(owner)
    client.post(
        reverse("venues:staff_add", args=[approved.pk]),
        {"username": "cdc", "full_name": "X", "password": "another horse battery staple"},
    )
    province_official.refresh_from_db()
    assert province_official.check_password("correct horse battery staple")
    assert not province_official.memberships.filter(role="venue").exists()


def test_approving_a_suspended_venue_again_sends_no_second_link(approved, commune_official):
    venue_suspend(actor=commune_official, venue=approved, reason="Kiểm tra")
    approved.refresh_from_db()
    venue_approve(actor=commune_official, venue=approved)
    assert Message.objects.filter(reference=f"venue_owner:{approved.code}").count() == 1
