from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.dashboard.models import (
    CommuneProfile,
    DailyFigure,
    Period,
    RiskAssessment,
    RiskOverride,
    RiskRule,
)
from qrtrace.dashboard.risk import Inputs, RuleDefinition, assess
from qrtrace.dashboard.selectors import commune_detail, risk_level_list
from qrtrace.dashboard.services import risk_levels_compute, risk_override_set, rule_on
from tests import actors

from .conftest import A, B

HIGH_4800 = {"adults_one_dose_pct": Decimal(85), "over50_full_pct": Decimal(90)}
LOW_4800 = {"adults_one_dose_pct": Decimal(60), "over50_full_pct": Decimal(90)}
HIGH_218 = {"full_pct": Decimal(80), "high_risk_full_pct": Decimal(95)}

# cases in a week for 100,000 people, coverage, treatment ready, last level → level under 4800
TABLE_4800 = [
    (0, HIGH_4800, True, None, 1),
    (19, HIGH_4800, True, None, 1),
    (20, HIGH_4800, True, None, 2),
    (49, HIGH_4800, True, None, 2),
    (50, HIGH_4800, True, None, 3),
    (149, HIGH_4800, True, None, 3),
    (150, HIGH_4800, True, None, 4),
    (900, HIGH_4800, True, None, 4),
    (0, LOW_4800, True, None, 2),
    (20, LOW_4800, True, None, 3),
    (50, LOW_4800, True, None, 4),
    (150, LOW_4800, True, None, 4),
    # over-50 target missed: one level up, unless there are no cases or it is already 4
    (10, {**HIGH_4800, "over50_full_pct": Decimal(60)}, True, None, 2),
    (0, {**HIGH_4800, "over50_full_pct": Decimal(60)}, True, None, 1),
    (200, {**HIGH_4800, "over50_full_pct": Decimal(60)}, True, None, 4),
    # failing treatment capacity keeps last week's higher level
    (5, HIGH_4800, False, 3, 3),
    (5, HIGH_4800, True, 3, 1),
]


def _rule(version: str) -> RuleDefinition:
    return RuleDefinition.parse(RiskRule.objects.get(version=version).definition)


@pytest.mark.parametrize(("cases", "coverage", "ready", "previous", "level"), TABLE_4800)
def test_a_commune_gets_the_level_the_4800_matrix_gives(db, cases, coverage, ready, previous, level):
    inputs = Inputs(
        cases=cases, population=100_000, coverage=coverage, treatment_ready=ready, previous_level=previous
    )
    assert assess(_rule("4800/QĐ-BYT"), inputs).level == level


@pytest.mark.parametrize(
    ("cases", "level_4800", "level_218"),
    [(10, 1, 1), (30, 2, 1), (100, 3, 2), (200, 4, 3), (599, 4, 3), (600, 4, 4)],
)
def test_the_same_incidence_under_218_gives_its_own_level(db, cases, level_4800, level_218):
    coverage = {**HIGH_4800, **HIGH_218}
    inputs = Inputs(cases=cases, population=100_000, coverage=coverage, treatment_ready=True)
    assert assess(_rule("4800/QĐ-BYT"), inputs).level == level_4800
    assert assess(_rule("218/QĐ-BYT"), inputs).level == level_218


def test_218_needs_full_vaccination_of_the_whole_population_for_the_lower_levels(db):
    # 4800's coverage (one dose for adults) is not 218's: the same commune is "low coverage" under 218.
    inputs = Inputs(
        cases=0, population=100_000, coverage={**HIGH_4800, "full_pct": Decimal(70)}, treatment_ready=True
    )
    assert assess(_rule("4800/QĐ-BYT"), inputs).level == 1
    assert assess(_rule("218/QĐ-BYT"), inputs).level == 2


def test_incidence_is_per_100000_of_the_communes_population(db):
    result = assess(
        _rule("4800/QĐ-BYT"), Inputs(cases=3, population=10_000, coverage=HIGH_4800, treatment_ready=True)
    )
    assert result.incidence == Decimal("30.0") and result.band == 1 and result.level == 2


def test_the_rule_in_force_is_the_latest_effective_on_the_day(db):
    assert rule_on(date(2021, 12, 1)).version == "4800/QĐ-BYT"
    assert rule_on(date(2022, 1, 27)).version == "218/QĐ-BYT"
    assert rule_on(date(2021, 1, 1)) is None


def test_a_rule_that_does_not_add_up_is_refused_in_words(db):
    with pytest.raises(ValidationError, match="Mỗi mức cần một cấp độ"):
        RuleDefinition.parse(
            {"bands": [20, 50], "levels": {"high": [1, 2], "low": [2, 3, 4]}, "coverage": []}
        )
    with pytest.raises(ValidationError):
        RuleDefinition.parse({"bands": [50, 20], "levels": {"high": [1, 2, 3], "low": [2, 3, 4]}})
    with pytest.raises(ValidationError):
        RuleDefinition.parse([1, 2])


def _profile(commune: int, population: int, **coverage) -> CommuneProfile:
    values = {"adults_one_dose_pct": 85, "over50_full_pct": 90, "full_pct": 80, "high_risk_full_pct": 95}
    return CommuneProfile.objects.create(
        commune_id=commune,
        as_of=date(2021, 1, 1),
        population=population,
        treatment_ready=True,
        **{**values, **coverage},
    )


def _cases(commune: int, day: date, count: int) -> None:
    DailyFigure.objects.update_or_create(
        commune_id=commune, day=day, defaults={"new_cases": count, "as_of": timezone.now()}
    )


def test_weekly_levels_are_computed_from_the_daily_figures_with_their_reason(db):
    monday = date(2021, 11, 1)
    _profile(A, 20_000)
    _profile(B, 50_000, adults_one_dose_pct=50)
    _cases(A, monday, 3)
    _cases(A, monday + timedelta(days=6), 2)  # 5 in the week: 25 per 100,000
    _cases(A, monday + timedelta(days=7), 40)  # next week's, not counted
    risk_levels_compute(on=monday + timedelta(days=3), period=Period.WEEK)
    a = RiskAssessment.objects.get(commune_id=A, period=Period.WEEK, on=monday)
    assert (a.level, a.inputs["cases"], a.inputs["incidence"], a.rule.version) == (
        2,
        5,
        "25.0",
        "4800/QĐ-BYT",
    )
    b = RiskAssessment.objects.get(commune_id=B, period=Period.WEEK, on=monday)
    assert b.level == 2 and ["coverage_low", {}] in b.reasons
    levels = {
        row["code"]: row
        for row in risk_level_list(user=actors.make_official("cdc", "province", 38), on=monday)
    }
    assert levels[A]["level"] == 2
    assert "2" in levels[A]["reason"]  # the band, in words


def test_the_rolling_daily_value_covers_the_7_days_to_the_day(db):
    day = date(2022, 3, 10)
    _profile(A, 100_000)
    _cases(A, day - timedelta(days=6), 100)
    _cases(A, day - timedelta(days=7), 1000)  # outside the 7 days
    risk_levels_compute(on=day, period=Period.DAY)
    rolling = RiskAssessment.objects.get(commune_id=A, period=Period.DAY, on=day)
    assert rolling.inputs["cases"] == 100 and rolling.level == 2 and rolling.rule.version == "218/QĐ-BYT"


def test_a_commune_without_population_is_assessed_with_its_reason_said(db):
    risk_levels_compute(on=date(2022, 3, 10), period=Period.DAY)
    row = RiskAssessment.objects.get(commune_id=A, period=Period.DAY)
    assert ["no_population", {}] in row.reasons and row.level == 2  # coverage not known: "low"


def test_an_override_shows_who_and_why_and_expires(db, commune_official, province_official):
    _profile(A, 100_000)
    risk_levels_compute(on=timezone.localdate(), period=Period.WEEK)
    override = risk_override_set(
        commune_code=A,
        level=4,
        reason="Ổ dịch tại chợ, phong tỏa",
        expires_at=timezone.now() + timedelta(days=7),
        actor=commune_official,
    )
    detail = commune_detail(user=province_official, code=A)
    assert detail["risk"]["level"] == 4 and detail["risk"]["computed_level"] == 1
    assert detail["risk"]["override"]["by"] == "tram_a"
    assert detail["risk"]["override"]["reason"] == "Ổ dịch tại chợ, phong tỏa"
    assert AuditEvent.objects.filter(action="override", object_type="risk_level", object_id=str(A)).exists()
    RiskOverride.objects.filter(pk=override.pk).update(
        starts_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert commune_detail(user=province_official, code=A)["risk"]["level"] == 1
    assert (
        commune_detail(user=province_official, code=A)["decisions"][0].reason == "Ổ dịch tại chợ, phong tỏa"
    )


def test_an_override_needs_a_reason_a_future_end_and_the_communes_official(
    db, commune_official, other_commune_official
):
    soon = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError):
        risk_override_set(commune_code=A, level=3, reason="", expires_at=soon, actor=commune_official)
    with pytest.raises(ValidationError):
        risk_override_set(
            commune_code=A, level=3, reason="Ổ dịch mới", expires_at=timezone.now(), actor=commune_official
        )
    with pytest.raises(ValidationError):
        risk_override_set(
            commune_code=A,
            level=3,
            reason="Ổ dịch mới",
            expires_at=soon + timedelta(days=400),
            actor=commune_official,
        )
    with pytest.raises(Http404):
        risk_override_set(
            commune_code=A, level=3, reason="Ổ dịch mới", expires_at=soon, actor=other_commune_official
        )


def test_a_new_override_replaces_the_active_one(db, commune_official):
    soon = timezone.now() + timedelta(days=2)
    first = risk_override_set(
        commune_code=A, level=3, reason="Ổ dịch mới", expires_at=soon, actor=commune_official
    )
    risk_override_set(commune_code=A, level=2, reason="Đã kiểm soát", expires_at=soon, actor=commune_official)
    first.refresh_from_db()
    assert first.ended_at is not None
    assert risk_level_list(user=commune_official)[0]["level"] == 2


def test_the_history_lists_every_week_with_its_rule_and_reason(db, province_official):
    _profile(A, 100_000)
    for weeks in range(3):
        _cases(A, date(2022, 2, 7) + timedelta(days=7 * weeks), 30 * weeks)
        risk_levels_compute(on=date(2022, 2, 7) + timedelta(days=7 * weeks), period=Period.WEEK)
    history = commune_detail(user=province_official, code=A, on=date(2022, 3, 1))["history"]
    # 0, 30 and 60 per 100,000, newest first: 218 puts 50 to <150 at level 2.
    assert [row["level"] for row in history] == [2, 1, 1]
    assert {row["rule"] for row in history} == {"218/QĐ-BYT"}
