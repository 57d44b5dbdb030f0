"""Tracing uses the residence on record (which only trusted paths change) and shows officials where a
contact's check-ins declared another commune, for them to correct with a reason (issue 12 §1)."""

import pytest
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.tracing.models import Exposure
from tests import actors

pytestmark = pytest.mark.django_db


def _declared(person, venue, commune: int) -> None:
    CheckIn.objects.create(
        venue=venue, person=person, entered_at=timezone.now(), method="self_scan", declared_commune_id=commune
    )


def test_a_contact_whose_check_ins_declared_another_commune_is_flagged_on_the_case_page(
    client, commune_official, traced
):
    case, market, contact = traced
    _declared(contact, market, actors.COMMUNE_B)
    client.force_login(commune_official)
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Khai khi quét mã: sống tại Phường Quảng Phú" in page
    assert f'action="/tracing/exposures/{Exposure.objects.get(person=contact).pk}/residence"' in page


def test_a_declaration_that_agrees_with_the_record_raises_no_flag(client, commune_official, traced):
    case, market, contact = traced
    _declared(contact, market, actors.COMMUNE_A)
    client.force_login(commune_official)
    assert "Khai khi quét mã" not in client.get(f"/tracing/cases/{case.pk}/").content.decode()


def test_an_official_corrects_the_residence_with_a_reason_and_it_is_audited(client, commune_official, traced):
    _case, market, contact = traced
    _declared(contact, market, actors.COMMUNE_B)
    exposure = Exposure.objects.get(person=contact)
    client.force_login(commune_official)
    response = client.post(
        f"/tracing/exposures/{exposure.pk}/residence",
        {"commune": str(actors.COMMUNE_B), "reason": "Gọi điện xác nhận"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.commune_id == actors.COMMUNE_B
    event = AuditEvent.objects.get(action="update", object_type="person")
    assert (event.actor, event.purpose, event.details) == (
        commune_official,
        "Gọi điện xác nhận",
        {"fields": "commune_id"},
    )


def test_without_a_reason_nothing_changes(client, commune_official, traced):
    _case, _market, contact = traced
    exposure = Exposure.objects.get(person=contact)
    client.force_login(commune_official)
    client.post(f"/tracing/exposures/{exposure.pk}/residence", {"commune": str(actors.COMMUNE_B)})
    contact.refresh_from_db()
    assert contact.commune_id == actors.COMMUNE_A


def test_another_communes_official_cannot_correct_a_contact_outside_their_area(
    client, other_commune_official, traced
):
    _case, _market, contact = traced
    exposure = Exposure.objects.get(person=contact)
    client.force_login(other_commune_official)
    response = client.post(
        f"/tracing/exposures/{exposure.pk}/residence", {"commune": str(actors.COMMUNE_B), "reason": "x y z"}
    )
    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.commune_id == actors.COMMUNE_A
