"""Issue 15: the risk level and the restricted areas. Neither Decision says how a lockdown bears on
the level (VN-RULES.md), so the shipped rules keep `restricted_areas` off and only name the area in
the reason; a province's own rule may set a floor for communes holding an area in force."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from qrtrace.dashboard.models import AreaKind, Period, RestrictedArea, RiskAssessment, RiskRule
from qrtrace.dashboard.risk import Inputs, RuleDefinition, assess, reason_text
from qrtrace.dashboard.selectors import risk_level_list
from qrtrace.dashboard.services import restricted_area_create, risk_levels_compute
from tests import actors

from .conftest import A, B
from .test_risk import HIGH_218, HIGH_4800, _cases, _profile

pytestmark = pytest.mark.django_db

LOCKDOWN = (("Thôn 3", AreaKind.LOCKDOWN),)
ISOLATION = (("Khu cách ly Chợ", AreaKind.ISOLATION),)
FLOOR = {"kinds": ["lockdown"], "min_level": 3}


def _rule(version: str, restricted: dict | None = None) -> RuleDefinition:
    definition = RiskRule.objects.get(version=version).definition
    return RuleDefinition.parse({**definition, "restricted_areas": restricted})


# rule, its restricted_areas field, cases per 100,000 in the week, the areas in force → level
TABLE = [
    # The shipped rules: an area in force is named, not counted.
    ("4800/QĐ-BYT", None, 0, (), 1),
    ("4800/QĐ-BYT", None, 0, LOCKDOWN, 1),
    ("4800/QĐ-BYT", None, 60, LOCKDOWN, 3),
    ("218/QĐ-BYT", None, 0, (), 1),
    ("218/QĐ-BYT", None, 0, LOCKDOWN, 1),
    ("218/QĐ-BYT", None, 700, LOCKDOWN, 4),
    # A province's rule: a commune holding a lockdown area is at least at level 3.
    ("4800/QĐ-BYT", FLOOR, 0, (), 1),
    ("4800/QĐ-BYT", FLOOR, 0, LOCKDOWN, 3),
    ("4800/QĐ-BYT", FLOOR, 30, LOCKDOWN, 3),
    ("4800/QĐ-BYT", FLOOR, 200, LOCKDOWN, 4),  # already above the floor
    ("4800/QĐ-BYT", FLOOR, 0, ISOLATION, 1),  # a kind the rule does not count
    ("218/QĐ-BYT", FLOOR, 0, (), 1),
    ("218/QĐ-BYT", FLOOR, 0, LOCKDOWN, 3),
    ("218/QĐ-BYT", FLOOR, 100, LOCKDOWN, 3),
    ("218/QĐ-BYT", FLOOR, 700, LOCKDOWN, 4),
    ("218/QĐ-BYT", {"kinds": ["lockdown", "isolation"], "min_level": 2}, 0, ISOLATION, 2),
]


@pytest.mark.parametrize(("version", "restricted", "cases", "areas", "level"), TABLE)
def test_a_communes_level_with_and_without_an_area_in_force(version, restricted, cases, areas, level):
    inputs = Inputs(
        cases=cases,
        population=100_000,
        coverage={**HIGH_4800, **HIGH_218},
        treatment_ready=True,
        restricted_areas=areas,
    )
    assert assess(_rule(version, restricted), inputs).level == level


def test_the_shipped_rules_say_as_data_that_an_area_is_not_counted():
    for version in ("4800/QĐ-BYT", "218/QĐ-BYT"):
        definition = RiskRule.objects.get(version=version).definition
        assert "restricted_areas" in definition and definition["restricted_areas"] is None


def test_the_reason_names_the_areas_in_force():
    inputs = Inputs(cases=0, population=100_000, coverage=HIGH_4800, treatment_ready=True)
    with translation.override("vi"):
        raised = assess(_rule("4800/QĐ-BYT", FLOOR), Inputs(**{**vars(inputs), "restricted_areas": LOCKDOWN}))
        assert "vùng phong tỏa, cách ly đang hiệu lực: Thôn 3; ít nhất cấp 3" in reason_text(raised.reasons)
        named = assess(_rule("4800/QĐ-BYT"), Inputs(**{**vars(inputs), "restricted_areas": LOCKDOWN}))
        assert "vùng phong tỏa, cách ly đang hiệu lực: Thôn 3 (quy định này không tính)" in reason_text(
            named.reasons
        )
        assert "phong tỏa" not in reason_text(assess(_rule("4800/QĐ-BYT"), inputs).reasons)


@pytest.mark.parametrize(
    "restricted",
    [
        {"kinds": ["curfew"], "min_level": 3},
        {"kinds": ["lockdown"], "min_level": 5},
        {"kinds": []},
        ["lockdown"],
    ],
)
def test_a_restricted_areas_field_that_does_not_add_up_is_refused(restricted):
    with pytest.raises(ValidationError):
        _rule("218/QĐ-BYT", restricted)


def _area(name: str, communes: list[int], starts_on: date, ends_on: date | None, kind=AreaKind.LOCKDOWN):
    return restricted_area_create(
        name=name,
        kind=kind,
        reason="Ổ dịch tại thôn",
        starts_on=starts_on,
        ends_on=ends_on,
        geometry=None,
        commune_codes=communes,
        actor=actors.make_official("cdc", "province", 38),
    )


def test_the_weekly_level_counts_the_areas_in_force_that_week_under_a_provinces_rule(db):
    monday = date(2022, 3, 7)
    RiskRule.objects.create(
        version="Tỉnh 2022-03",
        title="Quy định của tỉnh",
        effective_from=date(2022, 3, 1),
        definition={**RiskRule.objects.get(version="218/QĐ-BYT").definition, "restricted_areas": FLOOR},
    )
    _profile(A, 100_000)
    _profile(B, 100_000)
    _cases(B, monday, 10)
    _area("Thôn 3", [A], monday + timedelta(days=5), None)  # from Saturday: in force that week
    _area("Khu phố cũ", [B], monday - timedelta(days=30), monday - timedelta(days=1))  # ended before
    risk_levels_compute(on=monday, period=Period.WEEK)
    a = RiskAssessment.objects.get(commune_id=A, period=Period.WEEK, on=monday)
    b = RiskAssessment.objects.get(commune_id=B, period=Period.WEEK, on=monday)
    assert (a.level, a.inputs["restricted_areas"]) == (3, ["Thôn 3"])
    assert ["restricted_raised", {"areas": "Thôn 3", "level": 3}] in a.reasons
    assert (b.level, b.inputs["restricted_areas"]) == (1, [])
    levels = {
        row["code"]: row
        for row in risk_level_list(user=actors.make_official("cdc2", "province", 38), on=monday)
    }
    assert "vùng phong tỏa, cách ly đang hiệu lực: Thôn 3" in levels[A]["reason"]


def test_under_a_shipped_rule_the_area_is_named_and_the_level_unchanged(db):
    day = timezone.localdate()
    _profile(A, 100_000)
    _area("Thôn 3", [A], day - timedelta(days=2), day + timedelta(days=12))
    risk_levels_compute(on=day, period=Period.DAY)
    row = RiskAssessment.objects.get(commune_id=A, period=Period.DAY, on=day)
    assert row.level == 1 and ["restricted_not_counted", {"areas": "Thôn 3"}] in row.reasons
    assert RestrictedArea.objects.count() == 1
