from datetime import timedelta

from django.test import override_settings

from qrtrace.dashboard.models import RestrictedArea, RiskOverride
from qrtrace.dashboard.selectors import public_summary

from . import independent
from .conftest import A, B


def test_the_public_summary_masks_counts_under_five(province):
    summary = public_summary(on=province.today)
    new_cases = independent.new_cases({A, B}, province.today - timedelta(days=6), province.today)
    assert 0 < new_cases < 5 and summary["last_7_days"]["new_cases"] == "< 5"
    assert summary["masked_below"] == 5
    assert all(day["new_cases"] in (0, "< 5") for day in summary["trend"])


@override_settings(QRTRACE_PUBLIC_MIN_COUNT=1)
def test_the_mask_is_a_setting(province):
    summary = public_summary(on=province.today)
    assert summary["last_7_days"]["new_cases"] == independent.new_cases(
        {A, B}, province.today - timedelta(days=6), province.today
    )


def test_the_public_summary_has_risk_levels_and_areas_in_force(province, commune_official):
    RiskOverride.objects.create(
        commune_id=A,
        level=3,
        reason="Ổ dịch",
        set_by=commune_official,
        starts_at=province.cases[0].confirmed_at - timedelta(days=1),
        expires_at=province.cases[0].confirmed_at + timedelta(days=9),
    )
    area = RestrictedArea.objects.create(name="Khu phố 3", reason="Ổ dịch", starts_on=province.today)
    area.communes.set([A])
    summary = public_summary(on=province.today)
    levels = {row["code"]: row for row in summary["communes"]}
    assert levels[A]["risk_level"] == 3 and levels[A]["colour"] == "orange"
    assert summary["restricted_areas"][0]["name"] == "Khu phố 3"
    assert "reason" not in levels[A] and "by" not in str(levels[A])


def test_the_public_endpoint_needs_no_sign_in_and_answers_304_to_its_etag(client, province):
    response = client.get("/api/v1/public/summary")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    again = client.get("/api/v1/public/summary", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/public/summary", HTTP_IF_NONE_MATCH='"other"').status_code == 200
