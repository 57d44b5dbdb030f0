"""The commune risk level as a pure function of a dated rule and the commune's inputs.

A rule (RiskRule.definition) says:

- `bands`: the thresholds of new cases per `per` people per week: [20, 50, 150] makes band 0 below 20,
  band 1 from 20 to below 50, band 2 from 50 to below 150, band 3 from 150;
- `coverage`: criteria [{"input": name, "min": percent}] that all met make coverage "high";
- `levels`: for "high" and "low" coverage, the level of each band;
- `raise_if_unmet`: criteria that, unmet, raise the level by one (not above 4, not with no cases);
- `treatment_input`: the yes/no input saying treatment capacity is ready (None: not assessed);
- `hold_if_failing`: failing coverage or treatment keeps the level from going below the previous one;
- `restricted_areas`: {"kinds": ["lockdown", …], "min_level": n}: a commune with a restricted area of
  those kinds in force (drawn as a list of communes that holds it) is at least at level n; absent or
  null, such areas are named in the reason but do not change the level. Neither Decision 4800 nor 218
  says how a lockdown bears on the level (../shared/VN-RULES.md), so the shipped rules leave it off
  and a province that decides one way adds its own rule with it.

The reasons list names each step taken, as codes the pages translate (`REASONS`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INPUTS = ("adults_one_dose_pct", "over50_full_pct", "full_pct", "high_risk_full_pct")
REASONS = {
    "band": _("new cases per 100,000 in a week in band %(band)s"),
    "coverage_high": _("vaccination coverage met"),
    "coverage_low": _("vaccination coverage not met"),
    "raised": _("raised one level: a vaccination target not met"),
    "held": _("kept at last week's level: coverage or treatment capacity not met"),
    "treatment_not_ready": _("treatment capacity not ready"),
    "treatment_unknown": _("treatment capacity not known"),
    "no_population": _("population not known: incidence taken as 0"),
    "restricted": _("area under restriction in force: %(areas)s"),
    "restricted_raised": _("area under restriction in force: %(areas)s; at least level %(level)s"),
    "restricted_not_counted": _("area under restriction in force: %(areas)s (not counted by this rule)"),
}
AREA_KINDS = ("lockdown", "isolation")  # dashboard.models.AreaKind
COLOURS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}
LEVEL_NAMES = {
    1: _("Level 1 – low (green)"),
    2: _("Level 2 – medium (yellow)"),
    3: _("Level 3 – high (orange)"),
    4: _("Level 4 – very high (red)"),
}


@dataclass(frozen=True)
class Criterion:
    input: str
    min: Decimal


@dataclass(frozen=True)
class RuleDefinition:
    bands: tuple[Decimal, ...]
    levels_high: tuple[int, ...]
    levels_low: tuple[int, ...]
    coverage: tuple[Criterion, ...]
    raise_if_unmet: tuple[Criterion, ...] = ()
    treatment_input: str | None = None
    hold_if_failing: bool = False
    per: int = 100_000
    restricted_kinds: tuple[str, ...] = ()
    restricted_min_level: int | None = None

    @classmethod
    def parse(cls, data: object) -> "RuleDefinition":
        """Validate a rule's JSON; ValidationError in words an official can act on."""
        try:
            if not isinstance(data, dict):
                raise TypeError
            bands = tuple(Decimal(str(value)) for value in data["bands"])
            levels = data["levels"]
            high = tuple(int(level) for level in levels["high"])
            low = tuple(int(level) for level in levels["low"])
            coverage = tuple(_criterion(item) for item in data.get("coverage", []))
            raise_if = tuple(_criterion(item) for item in data.get("raise_if_unmet", []))
            treatment = data.get("treatment_input")
            per = int(data.get("per", 100_000))
            restricted = data.get("restricted_areas") or {}
            kinds = tuple(str(kind) for kind in restricted.get("kinds", [])) if restricted else ()
            min_level = int(restricted["min_level"]) if restricted else None
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
            raise ValidationError(
                _("The rule needs bands, levels (high and low) and coverage criteria with input and min.")
            ) from None
        if list(bands) != sorted(bands) or not bands or any(value < 0 for value in bands):
            raise ValidationError(_("Band thresholds must be rising and not negative."))
        if len(high) != len(bands) + 1 or len(low) != len(bands) + 1:
            raise ValidationError(_("Give one level per band (one more than the thresholds)."))
        if any(level not in COLOURS for level in (*high, *low)):
            raise ValidationError(_("Levels are 1 to 4."))
        if treatment not in (None, "treatment_ready") or per <= 0:
            raise ValidationError(_("Unknown input in the rule."))
        if restricted and (not kinds or set(kinds) - set(AREA_KINDS) or min_level not in COLOURS):
            raise ValidationError(
                _("restricted_areas needs kinds (lockdown, isolation) and a min_level from 1 to 4.")
            )
        hold = bool(data.get("hold_if_failing"))
        return cls(bands, high, low, coverage, raise_if, treatment, hold, per, kinds, min_level)


def _criterion(item: dict) -> Criterion:
    if item["input"] not in INPUTS:
        raise ValueError(item["input"])
    return Criterion(item["input"], Decimal(str(item["min"])))


@dataclass(frozen=True)
class Inputs:
    cases: int
    population: int | None
    coverage: dict[str, Decimal | None] = field(default_factory=dict)
    treatment_ready: bool | None = None
    previous_level: int | None = None
    # The restricted areas in force in the commune during the period: (name, kind).
    restricted_areas: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Assessment:
    level: int
    band: int
    incidence: Decimal
    reasons: tuple[tuple[str, dict], ...]

    def as_inputs(self, inputs: Inputs) -> dict:
        """The inputs and band as stored with the level (JSON), to be shown as its reason."""
        return {
            "cases": inputs.cases,
            "population": inputs.population,
            "incidence": str(self.incidence),
            **{name: (None if value is None else str(value)) for name, value in inputs.coverage.items()},
            "treatment_ready": inputs.treatment_ready,
            "previous_level": inputs.previous_level,
            "restricted_areas": [name for name, _kind in inputs.restricted_areas],
            "band": self.band,
        }


def _met(criterion: Criterion, inputs: Inputs) -> bool:
    value = inputs.coverage.get(criterion.input)
    return value is not None and Decimal(value) >= criterion.min


def assess(rule: RuleDefinition, inputs: Inputs) -> Assessment:
    reasons: list[tuple[str, dict]] = []
    if inputs.population:
        incidence = (Decimal(inputs.cases) * rule.per / Decimal(inputs.population)).quantize(Decimal("0.1"))
    else:
        incidence = Decimal(0)
        reasons.append(("no_population", {}))
    band = sum(1 for threshold in rule.bands if incidence >= threshold)
    reasons.append(("band", {"band": band + 1}))
    high = all(_met(criterion, inputs) for criterion in rule.coverage)
    reasons.append(("coverage_high" if high else "coverage_low", {}))
    level = (rule.levels_high if high else rule.levels_low)[band]
    if inputs.cases and level < 4 and not all(_met(c, inputs) for c in rule.raise_if_unmet):
        level += 1
        reasons.append(("raised", {}))
    treatment_ok = rule.treatment_input is None or inputs.treatment_ready is True
    if not treatment_ok:
        reasons.append(("treatment_unknown" if inputs.treatment_ready is None else "treatment_not_ready", {}))
    failing = not high or not treatment_ok
    if rule.hold_if_failing and failing and inputs.previous_level and inputs.previous_level > level:
        level = inputs.previous_level
        reasons.append(("held", {}))
    level = _restricted(rule, inputs, level, reasons)
    return Assessment(level, band, incidence, tuple(reasons))


def _restricted(rule: RuleDefinition, inputs: Inputs, level: int, reasons: list) -> int:
    """The level with the rule's floor for a commune holding a restricted area in force (if any)."""
    if not inputs.restricted_areas:
        return level
    counted = [name for name, kind in inputs.restricted_areas if kind in rule.restricted_kinds]
    if not counted or rule.restricted_min_level is None:
        names = ", ".join(name for name, _kind in inputs.restricted_areas)
        reasons.append(("restricted_not_counted", {"areas": names}))
        return level
    if level >= rule.restricted_min_level:
        reasons.append(("restricted", {"areas": ", ".join(counted)}))
        return level
    reasons.append(("restricted_raised", {"areas": ", ".join(counted), "level": rule.restricted_min_level}))
    return rule.restricted_min_level


def reason_text(reasons: list) -> str:
    """The stored reason codes as one sentence in the current language."""
    parts = []
    for code, values in reasons:
        template = REASONS.get(code)
        if template is not None:
            parts.append(str(template) % values if values else str(template))
    return "; ".join(parts)
