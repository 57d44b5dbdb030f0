import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from qrtrace.accounts.services import api_token_create
from qrtrace.dashboard.models import CommuneBoundary, RestrictedArea, RiskOverride
from qrtrace.tracing.models import Level
from tests import actors

from . import independent
from .conftest import A, B
from .test_imports import square


def _get(client, user, path, **params):
    token = api_token_create(user=user)
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client, user, path, body):
    token = api_token_create(user=user)
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_daily_stats_equal_the_source_counts_for_the_callers_area(client, province, commune_official):
    first = province.today - timedelta(days=13)
    response = _get(client, commune_official, "/api/v1/stats/daily", **{"from": first, "to": province.today})
    assert response.status_code == 200
    days = response.json()
    assert len(days) == 14 and days[-1]["day"] == province.today.isoformat()
    assert sum(d["checkins"] for d in days) == independent.checkins({A}, first, province.today)
    assert sum(d["f1_traced"] for d in days) == independent.exposures({A}, first, province.today, Level.F1)


def test_daily_stats_of_a_commune_outside_the_area_are_a_404_and_a_bad_range_a_400(
    client, province, commune_official
):
    assert _get(client, commune_official, "/api/v1/stats/daily", commune=B).status_code == 404
    later = province.today + timedelta(days=1)
    assert (
        _get(
            client, commune_official, "/api/v1/stats/daily", **{"from": later, "to": province.today}
        ).status_code
        == 400
    )
    far = province.today - timedelta(days=400)
    assert _get(client, commune_official, "/api/v1/stats/daily", **{"from": far}).status_code == 400
    assert _get(client, commune_official, "/api/v1/stats/daily", **{"from": "hôm qua"}).status_code == 422


def test_venue_staff_see_no_figures(client, province):
    staff = actors.make_official("staff", "venue", province.venues[0].code)
    assert _get(client, staff, "/api/v1/stats/daily").status_code == 403


def test_commune_stats_compare_the_last_7_days_with_the_7_before(client, province, province_official):
    body = _get(client, province_official, "/api/v1/stats/communes", date=province.today).json()
    rows = {row["code"]: row for row in body["communes"]}
    assert len(rows) == 166  # every commune of Thanh Hóa
    week = (province.today - timedelta(days=6), province.today)
    before = (province.today - timedelta(days=13), province.today - timedelta(days=7))
    for code in (A, B):
        assert rows[code]["week_checkins"] == independent.checkins({code}, *week)
        assert rows[code]["previous_new_cases"] == independent.new_cases({code}, *before)
        assert rows[code]["active_cases"] == independent.active_cases({code}, province.today)
    assert body["as_of"]


def test_a_risk_level_is_set_by_decision_through_the_api(client, province, commune_official):
    expires = (timezone.now() + timedelta(days=7)).isoformat()
    body = {"commune_code": A, "level": 3, "reason": "Ổ dịch tại chợ", "expires_at": expires}
    response = _post(client, commune_official, "/api/v1/risk-levels", body)
    assert response.status_code == 201 and RiskOverride.objects.get().level == 3
    levels = {row["code"]: row for row in _get(client, commune_official, "/api/v1/risk-levels").json()}
    assert levels[A]["level"] == 3 and levels[A]["override"]["reason"] == "Ổ dịch tại chợ"
    assert (
        _post(client, commune_official, "/api/v1/risk-levels", {**body, "commune_code": B}).status_code == 404
    )
    assert _post(client, commune_official, "/api/v1/risk-levels", {**body, "level": 5}).status_code == 422
    assert _post(client, commune_official, "/api/v1/risk-levels", {**body, "reason": ""}).status_code == 400
    naive = {**body, "expires_at": expires[:19]}
    assert _post(client, commune_official, "/api/v1/risk-levels", naive).status_code == 422


def test_restricted_areas_are_declared_as_communes_or_as_a_polygon(
    client, province, commune_official, province_official
):
    body = {
        "name": "Khu phố 3",
        "reason": "Ổ dịch tại chợ",
        "starts_on": str(province.today),
        "commune_codes": [A],
    }
    assert _post(client, commune_official, "/api/v1/restricted-areas", body).status_code == 201
    assert (
        _post(
            client, commune_official, "/api/v1/restricted-areas", {**body, "commune_codes": [B]}
        ).status_code
        == 403
    )
    polygon = {**body, "commune_codes": [], "geometry": square(105.77, 19.80)}
    assert _post(client, commune_official, "/api/v1/restricted-areas", polygon).status_code == 403
    assert _post(client, province_official, "/api/v1/restricted-areas", polygon).status_code == 201
    open_ring = {
        **polygon,
        "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 3]]]},
    }
    response = _post(client, province_official, "/api/v1/restricted-areas", open_ring)
    assert response.status_code == 400 and "geometry" in response.json()["detail"]
    both = {**polygon, "commune_codes": [A]}
    assert _post(client, province_official, "/api/v1/restricted-areas", both).status_code == 400
    backwards = {**body, "ends_on": str(province.today - timedelta(days=1))}
    assert _post(client, province_official, "/api/v1/restricted-areas", backwards).status_code == 400
    assert RestrictedArea.objects.count() == 2


def test_a_layer_answers_geojson_of_the_callers_area(client, province, commune_official):
    body = _get(client, commune_official, "/api/v1/map/layers/communes").json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == [A]
    assert body["features"][0]["properties"]["shape"] == "centroid"
    assert _get(client, commune_official, "/api/v1/map/layers/people").status_code == 422


def test_communes_are_drawn_by_boundary_else_at_their_venues_centre_else_listed(
    client, province, province_official
):
    CommuneBoundary.objects.create(commune_id=B, geometry=square(105.85, 19.76))
    body = _get(client, province_official, "/api/v1/map/layers/communes").json()
    shapes = {f["properties"]["code"]: f for f in body["features"]}
    assert shapes[B]["geometry"]["type"] == "Polygon" and shapes[B]["properties"]["shape"] == "boundary"
    centre = shapes[A]["geometry"]["coordinates"]
    assert centre == pytest.approx([(105.776 + 105.780) / 2, (19.807 + 19.811) / 2])
    assert len(body["unplaced"]) == 164 and A not in {c["code"] for c in body["unplaced"]}


def test_the_alerts_layer_shows_venues_with_published_alerts_and_counts_those_without_coordinates(
    client, province, province_official
):
    first = province.today - timedelta(days=13)
    body = _get(client, province_official, "/api/v1/map/layers/alerts", **{"from": first}).json()
    names = sorted(f["properties"]["name"] for f in body["features"])
    assert names == ["Chợ Vườn Hoa", "Siêu thị Quảng Phú"]
    assert body["without_location"] == 1
    assert set(body["features"][0]["properties"]) == {"name", "kind", "alerts", "windows"}


@override_settings(QRTRACE_MAP_LAYER_CAP=10)
def test_a_layer_over_the_cap_carries_at_most_the_cap_and_says_so(client, province, province_official):
    body = _get(client, province_official, "/api/v1/map/layers/communes").json()
    assert body["capped"] is False and body["total"] == 2
    CommuneBoundary.objects.bulk_create(
        [CommuneBoundary(commune_id=c, geometry=square(105, 19)) for c in _codes()[:15]]
    )
    body = _get(client, province_official, "/api/v1/map/layers/communes").json()
    assert (
        body["capped"] is True and len(body["features"]) == 10 and body["total"] >= 15 and body["cap"] == 10
    )


def _codes():
    from qrtrace.geo.models import Commune

    return list(Commune.objects.filter(province_id=38).values_list("code", flat=True))


def test_the_facilities_layer_is_empty_while_no_app_provides_it(
    client, province, province_official, monkeypatch
):
    from qrtrace.dashboard import hooks

    monkeypatch.setattr(hooks, "_layer_providers", {})
    body = _get(client, province_official, "/api/v1/map/layers/facilities").json()
    assert body["features"] == [] and body["available"] is False


def test_the_restricted_layer_draws_areas_in_force_in_the_range(client, province, province_official):
    area = RestrictedArea.objects.create(
        name="Khu phố 3",
        reason="Ổ dịch",
        starts_on=province.today - timedelta(days=3),
        ends_on=province.today,
    )
    area.communes.set([A])
    RestrictedArea.objects.create(
        name="Đã hết",
        reason="Cũ",
        starts_on=province.today - timedelta(days=60),
        ends_on=province.today - timedelta(days=30),
        geometry=square(105, 19),
    )
    body = _get(client, province_official, "/api/v1/map/layers/restricted").json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Khu phố 3"]
    # The map's list shows the dates in the site's one format (dd/mm/yyyy), made here, not in JS.
    start = province.today - timedelta(days=3)
    assert body["features"][0]["properties"]["period"] == f"{start:%d/%m/%Y}–{province.today:%d/%m/%Y}"


def test_days_outside_2000_to_2100_are_refused_by_the_schema_not_a_500(client, db, province_official):
    for path, params in (
        ("/api/v1/stats/daily", {"from": "0001-01-01", "to": "0001-01-02"}),
        ("/api/v1/stats/daily", {"to": "9999-12-31"}),
        ("/api/v1/stats/communes", {"date": "9999-12-31"}),
        ("/api/v1/reports/daily/0001-01-01.pdf", {}),
    ):
        assert _get(client, province_official, path, **params).status_code == 422, path
