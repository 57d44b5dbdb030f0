"""The policy pages: the table of each policy, a draft made from the policy in force, its what-if,
and the apply that needs a ticked confirmation and writes an audit event."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from qrtrace.audit.models import AuditEvent
from qrtrace.quarantine.models import QuarantineOrder, QuarantinePolicy
from qrtrace.quarantine.services import order_create


@pytest.fixture(autouse=True)
def vietnamese(english):
    with translation.override("vi"):
        yield


def _draft_form(client):
    page = client.get("/quarantine/policies/new")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data |= {"version": "TH-3", "title": "F1 tiêm đủ: 3 ngày", "effective_from": timezone.localdate()}
    return data


def test_a_draft_from_the_policy_in_force_previews_and_applies_only_when_confirmed(
    client, commune_official, province_official, resident
):
    order = order_create(
        actor=commune_official, person=resident, reason="f1", vaccination="full", kind="home", address="1"
    )
    client.force_login(province_official)
    data = _draft_form(client) | {"days-f1-full": "3", "tests-f1-full": "3"}
    saved = client.post("/quarantine/policies/new", data)
    assert saved.status_code == 302, saved.content.decode()
    policy = QuarantinePolicy.objects.get(version="TH-3")
    assert policy.status == "draft" and policy.rules.get(reason="f1", vaccination="full").days == 3
    preview = client.get(saved.url).content.decode()
    assert (
        f"QO-{order.pk}" in preview and (order.start_date + timedelta(days=3)).strftime("%d/%m/%Y") in preview
    )
    refused = client.post(saved.url, {"orders": str(order.pk)})
    assert refused.status_code == 400 and "Hãy đánh dấu ô để xác nhận." in refused.content.decode()
    assert QuarantinePolicy.objects.get(pk=policy.pk).status == "draft"
    stale = client.post(saved.url, {"orders": "", "confirm": "on"})
    assert stale.status_code == 400 and "xem trước" in stale.content.decode().lower()
    applied = client.post(saved.url, {"orders": str(order.pk), "confirm": "on"})
    assert applied.status_code == 302
    assert QuarantineOrder.objects.get(pk=order.pk).planned_end == order.start_date + timedelta(days=3)
    assert AuditEvent.objects.filter(action="apply", object_id="TH-3", actor=province_official).exists()


def test_bad_test_days_and_a_repeated_version_are_form_errors(client, province_official):
    client.force_login(province_official)
    data = _draft_form(client)
    bad = client.post("/quarantine/policies/new", data | {"tests-f1-full": "năm"})
    assert bad.status_code == 400 and "cách nhau bởi dấu phẩy" in bad.content.decode()
    outside = client.post("/quarantine/policies/new", data | {"days-f1-full": "3", "tests-f1-full": "9"})
    assert outside.status_code == 400 and "errorlist" in outside.content.decode()
    assert client.post("/quarantine/policies/new", data).status_code == 302
    again = client.post("/quarantine/policies/new", data)
    assert again.status_code == 400 and "errorlist" in again.content.decode()


def test_only_the_province_office_drafts_a_policy(client, commune_official):
    client.force_login(commune_official)
    assert client.get("/quarantine/policies/new").status_code == 403
    page = client.get("/quarantine/policies/").content.decode()
    assert "/quarantine/policies/new" not in page and "BYT-2022-02" in page
