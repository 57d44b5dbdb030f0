"""Issue 15: a restricted area is lifted early, extended, shortened or corrected, by the officials of
its communes (404 outside their area, as for a missing id), audited; a lifted area leaves the scan
page's note, the map's restricted layer and the risk level's inputs the same day."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from qrtrace.accounts.services import api_token_create
from qrtrace.audit.models import AuditEvent
from qrtrace.dashboard import selectors, services
from qrtrace.dashboard.models import AreaKind
from qrtrace.lib.errors import Conflict
from qrtrace.venues.qr import venue_token
from tests import actors

from .conftest import A, B
from .test_restricted_scan_note import _note

pytestmark = pytest.mark.django_db


def _area(actor, codes=(A,), name="Thôn 3", **dates):
    today = timezone.localdate()
    return services.restricted_area_create(
        name=name,
        kind=AreaKind.LOCKDOWN,
        reason="Ổ dịch tại chợ",
        starts_on=dates.get("starts_on", today - timedelta(days=3)),
        ends_on=dates.get("ends_on", today + timedelta(days=10)),
        geometry=None,
        commune_codes=list(codes),
        actor=actor,
    )


def _api(client, user, method, path, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    if method == "get":
        return client.get(path, **headers)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json", **headers)


def test_lifting_keeps_the_plan_and_who_lifted_it_why_and_is_audited(commune_official):
    today = timezone.localdate()
    area = _area(commune_official)
    area = services.restricted_area_end(
        actor=commune_official, area=area, on=today, reason="Không còn ca mới"
    )
    assert (area.ended_on, area.ends_on, area.planned_ends_on) == (
        today,
        today - timedelta(days=1),
        today + timedelta(days=10),
    )
    assert area.ended_by == commune_official and area.end_reason == "Không còn ca mới"
    event = AuditEvent.objects.get(action="lift")
    assert (event.object_type, event.object_id, event.purpose) == (
        "restricted_area",
        str(area.pk),
        "Không còn ca mới",
    )
    with pytest.raises(Conflict):  # once lifted, it is neither lifted again nor changed
        services.restricted_area_end(actor=commune_official, area=area, on=today, reason="Lần nữa đây")
    with pytest.raises(Conflict):
        services.restricted_area_change(actor=commune_official, area=area, ends_on=None)


def test_a_lift_needs_a_reason_and_a_day_from_the_start_to_the_planned_end(commune_official):
    today = timezone.localdate()
    area = _area(commune_official)
    for on, reason, field in (
        (today, "  ", "reason"),
        (today - timedelta(days=4), "Không còn ca mới", "on"),
        (today + timedelta(days=11), "Không còn ca mới", "on"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.restricted_area_end(actor=commune_official, area=area, on=on, reason=reason)
        assert set(refused.value.message_dict) == {field}
    # Lifted on its first day (or before a planned one starts): it was never in force.
    planned = _area(commune_official, starts_on=today + timedelta(days=2))
    services.restricted_area_end(
        actor=commune_official, area=planned, on=today + timedelta(days=2), reason="Hủy kế hoạch"
    )
    assert not selectors.restricted_areas_active(first=today, last=today + timedelta(days=30)).filter(
        pk=planned.pk
    )


def test_an_area_is_extended_shortened_and_corrected_as_a_new_one_is_checked(commune_official):
    today = timezone.localdate()
    area = _area(commune_official)
    area = services.restricted_area_change(
        actor=commune_official, area=area, ends_on=today + timedelta(days=20), name=" Thôn 3 và 4 "
    )
    assert (area.name, area.ends_on) == ("Thôn 3 và 4", today + timedelta(days=20))
    event = AuditEvent.objects.get(action="update", object_type="restricted_area")
    assert event.details["changed"] == {
        "name": ["Thôn 3", "Thôn 3 và 4"],
        "ends_on": [str(today + timedelta(days=10)), str(today + timedelta(days=20))],
    }
    area = services.restricted_area_change(actor=commune_official, area=area, ends_on=None)
    assert area.ends_on is None
    for changes, field in (
        ({"ends_on": today - timedelta(days=4)}, "ends_on"),
        ({"name": " "}, "name"),
        ({"reason": "ab"}, "reason"),
        ({"commune_codes": []}, "commune_codes"),
        ({"commune_codes": [999999]}, "commune_codes"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.restricted_area_change(actor=commune_official, area=area, **changes)
        assert set(refused.value.message_dict) == {field}
    with pytest.raises(PermissionDenied):  # a commune of another station
        services.restricted_area_change(actor=commune_official, area=area, commune_codes=[A, B])
    assert AuditEvent.objects.filter(action="update").count() == 2


def test_a_commune_official_changes_only_areas_wholly_in_their_communes(commune_official, province_official):
    both = _area(province_official, codes=(A, B))
    only_b = _area(province_official, codes=(B,))
    assert selectors.restricted_area_get(user=commune_official, pk=both.pk) == both  # seen
    with pytest.raises(PermissionDenied):
        services.restricted_area_end(
            actor=commune_official, area=both, on=timezone.localdate(), reason="Không còn ca mới"
        )
    for pk in (only_b.pk, only_b.pk + 1000):  # outside the area and missing: the same 404
        with pytest.raises(Http404):
            selectors.restricted_area_get(user=commune_official, pk=pk)
    services.restricted_area_end(
        actor=province_official, area=both, on=timezone.localdate(), reason="Không còn ca mới"
    )


def test_a_lifted_area_leaves_the_scan_note_the_map_and_the_risk_inputs_the_same_day(
    client, commune_official
):
    today = timezone.localdate()
    area = _area(commune_official)
    other = _area(commune_official, name="Khu phố 5")
    venue = actors.make_venue("Chợ Vườn Hoa", A, lat=Decimal("19.807"), lng=Decimal("105.776"))
    scan = f"/v/{venue_token(venue)}"
    assert "Thôn 3" in _note(client, scan)
    layer = _api(client, commune_official, "get", "/api/v1/map/layers/restricted")
    assert {f["properties"]["name"] for f in layer.json()["features"]} >= {"Thôn 3"}

    services.restricted_area_end(actor=commune_official, area=area, on=today, reason="Không còn ca mới")

    assert "Thôn 3" not in _note(client, scan) and "Khu phố 5" in _note(client, scan)
    for first in (today, today - timedelta(days=1)):  # the map of today, and of a range ending today
        layer = _api(
            client, commune_official, "get", f"/api/v1/map/layers/restricted?from={first}&to={today}"
        )
        names = {f["properties"]["name"] for f in layer.json()["features"]}
        assert ("Thôn 3" in names) == (first < today) and "Khu phố 5" in names
    assert services._restricted_by_commune(today, today)[A] == [("Khu phố 5", "lockdown")]
    services.restricted_area_change(actor=commune_official, area=other, ends_on=today - timedelta(days=1))
    assert _note(client, scan) == ""


def test_the_page_offers_change_and_lift_and_lists_what_was_lifted(client, commune_official):
    today = timezone.localdate()
    area = _area(commune_official)
    client.force_login(commune_official)
    page = client.get(reverse("dashboard:areas")).content.decode()
    lift = reverse("dashboard:area_end", kwargs={"pk": area.pk})
    change = reverse("dashboard:area_change", kwargs={"pk": area.pk})
    assert f'href="{lift}">Dỡ bỏ</a>' in page and f'href="{change}">Sửa</a>' in page
    assert client.get(lift).status_code == 200 and client.get(change).status_code == 200

    refused = client.post(lift, {"on": str(today - timedelta(days=9)), "reason": "Không còn ca mới"})
    assert refused.status_code == 400 and "không thể dỡ bỏ trước ngày đó" in refused.content.decode()
    response = client.post(lift, {"on": str(today), "reason": "Không còn ca mới"})
    assert response.status_code == 302
    page = client.get(reverse("dashboard:areas")).content.decode()
    history = page[page.index("Vùng đã dỡ bỏ hoặc hết hạn") :]
    assert "Thôn 3" in history and "tram_a" in history and "Không còn ca mới" in history
    assert f'href="{lift}"' not in page
    again = client.post(lift, {"on": str(today), "reason": "Lần nữa đây"})
    assert again.status_code == 400 and "đã được dỡ bỏ" in again.content.decode()


def test_the_change_page_saves_a_new_end_and_refuses_a_wrong_one(client, commune_official):
    today = timezone.localdate()
    area = _area(commune_official)
    client.force_login(commune_official)
    url = reverse("dashboard:area_change", kwargs={"pk": area.pk})
    form = {
        "name": "Thôn 3",
        "kind": "isolation",
        "reason": "Ổ dịch tại chợ",
        "starts_on": str(area.starts_on),
        "ends_on": str(today + timedelta(days=30)),
        "communes": [A],
    }
    assert client.post(url, {**form, "ends_on": str(today - timedelta(days=9))}).status_code == 400
    assert client.post(url, form).status_code == 302
    area.refresh_from_db()
    assert (area.kind, area.ends_on) == ("isolation", today + timedelta(days=30))


def test_the_api_lists_changes_and_lifts_areas(client, commune_official, province_official):
    today = timezone.localdate()
    area = _area(commune_official)
    _area(province_official, codes=(B,), name="Thôn 9")
    listed = _api(client, commune_official, "get", "/api/v1/restricted-areas").json()
    assert [a["name"] for a in listed] == ["Thôn 3"] and listed[0]["commune_codes"] == [A]
    path = f"/api/v1/restricted-areas/{area.pk}"
    response = _api(client, commune_official, "patch", path, {"ends_on": str(today + timedelta(days=20))})
    assert response.status_code == 200 and response.json()["ends_on"] == str(today + timedelta(days=20))
    assert response.json()["name"] == "Thôn 3"  # what was not sent stays
    assert _api(client, commune_official, "patch", path, {"ends_on": None}).json()["ends_on"] is None
    bad = _api(client, commune_official, "patch", path, {"name": "", "commune_codes": "A"})
    assert bad.status_code == 422
    assert {error["loc"][-1] for error in bad.json()["detail"]} == {"name", "commune_codes"}
    early = _api(
        client, commune_official, "post", f"{path}/end", {"on": "2000-01-01", "reason": "Hết dịch rồi"}
    )
    assert early.status_code == 400 and set(early.json()["detail"]) == {"on"}
    assert _api(client, commune_official, "post", f"{path}/end", {"on": str(today)}).status_code == 422
    lifted = _api(
        client, commune_official, "post", f"{path}/end", {"on": str(today), "reason": "Hết dịch rồi"}
    )
    assert lifted.status_code == 200 and lifted.json()["lifted_on"] == str(today)
    assert _api(client, commune_official, "get", "/api/v1/restricted-areas").json() == []
    again = _api(
        client, commune_official, "post", f"{path}/end", {"on": str(today), "reason": "Hết dịch rồi"}
    )
    assert again.status_code == 409
    assert (
        _api(client, commune_official, "patch", f"/api/v1/restricted-areas/{area.pk + 99}", {}).status_code
        == 404
    )
