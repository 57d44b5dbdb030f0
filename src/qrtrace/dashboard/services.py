"""The dashboard's writes: imported commune data, risk levels and their overrides, restricted areas,
commune boundaries. Each validates what it is given, says what is wrong in Vietnamese, and writes its
own audit event."""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import (
    can_manage_province_data,
    can_override_risk_level,
    require,
    require_or_404,
)
from qrtrace.audit.services import audit_event_create
from qrtrace.geo.models import Commune
from qrtrace.lib.display import date_text
from qrtrace.lib.errors import Conflict

from .geometry import validate_polygon
from .models import (
    AreaKind,
    CommuneBoundary,
    CommuneProfile,
    DailyFigure,
    Period,
    RestrictedArea,
    RiskAssessment,
    RiskOverride,
    RiskRule,
)
from .risk import INPUTS, Inputs, RuleDefinition, assess
from .selectors import restricted_areas_active

PROFILE_COLUMNS = ("commune_code", "as_of", "population", *INPUTS, "treatment_ready")
MAX_IMPORT_ERRORS = 50
_YES = {"1", "yes", "có", "co", "true", "x"}
_NO = {"0", "no", "không", "khong", "false"}


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def _province_communes() -> set[int]:
    return set(Commune.objects.filter(province_id=settings.QRTRACE_PROVINCE).values_list("code", flat=True))


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text: save it as CSV UTF-8.")) from None


def _percent(raw: str, column: str) -> Decimal | None:
    if raw == "":
        return None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(
            _("%(column)s is not a number: %(value)s") % {"column": column, "value": raw}
        ) from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueError(
            _("%(column)s must be between 0 and 100: %(value)s") % {"column": column, "value": raw}
        )
    return value


def _profile(row: dict, communes: set[int]) -> CommuneProfile:
    code = (row.get("commune_code") or "").strip()
    if not code.isdigit() or int(code) not in communes:
        raise ValueError(_("unknown commune code %(code)s in this province") % {"code": code or "—"})
    try:
        as_of = date.fromisoformat((row.get("as_of") or "").strip())
    except ValueError:
        raise ValueError(_("as_of must be a date YYYY-MM-DD")) from None
    population = (row.get("population") or "").strip()
    if not population.isdigit() or not 0 < int(population) < 10_000_000:
        raise ValueError(
            _("population must be a whole number above 0: %(value)s") % {"value": population or "—"}
        )
    ready = (row.get("treatment_ready") or "").strip().lower()
    if ready and ready not in _YES | _NO:
        raise ValueError(_("treatment_ready must be có or không: %(value)s") % {"value": ready})
    return CommuneProfile(
        commune_id=int(code),
        as_of=as_of,
        population=int(population),
        treatment_ready=None if not ready else ready in _YES,
        **{name: _percent((row.get(name) or "").strip(), name) for name in INPUTS},
    )


@transaction.atomic
def profiles_import(
    *, data: bytes | str, actor: User | None, request: HttpRequest | None = None
) -> ImportResult:
    """Import population and vaccination coverage per commune from CSV (columns PROFILE_COLUMNS).
    All or nothing: with any error, nothing is saved and every error is listed with its line."""
    if actor is not None:
        require(can_manage_province_data, actor)
    reader = csv.DictReader(io.StringIO(_text(data)))
    missing = [
        name for name in ("commune_code", "as_of", "population") if name not in (reader.fieldnames or [])
    ]
    if missing:
        raise ValidationError(
            _("The file needs the columns %(columns)s; missing: %(missing)s")
            % {"columns": ", ".join(PROFILE_COLUMNS), "missing": ", ".join(missing)}
        )
    communes, result, profiles, seen = _province_communes(), ImportResult(), [], set()
    for line, row in enumerate(reader, start=2):
        try:
            profile = _profile(row, communes)
            if (profile.commune_id, profile.as_of) in seen:
                raise ValueError(_("the commune appears twice for this date"))
        except ValueError as error:
            if len(result.errors) < MAX_IMPORT_ERRORS:
                result.errors.append(_("Line %(line)s: %(error)s") % {"line": line, "error": error})
            continue
        seen.add((profile.commune_id, profile.as_of))
        profiles.append(profile)
    if result.errors:
        return result
    if not profiles:
        raise ValidationError(_("The file has no rows."))
    for profile in profiles:
        profile.imported_by = actor
    CommuneProfile.objects.bulk_create(
        profiles,
        update_conflicts=True,
        unique_fields=["commune", "as_of"],
        update_fields=["population", *INPUTS, "treatment_ready", "imported_by", "imported_at"],
    )
    result.saved = len(profiles)
    audit_event_create(
        actor=actor,
        action="import",
        object_type="commune_profile",
        request=request,
        details={"rows": result.saved},
    )
    return result


def rule_on(day: date) -> RiskRule | None:
    return RiskRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def _profiles_on(day: date) -> dict[int, CommuneProfile]:
    latest: dict[int, CommuneProfile] = {}
    for profile in CommuneProfile.objects.filter(as_of__lte=day).order_by("commune_id", "as_of"):
        latest[profile.commune_id] = profile
    return latest


def _restricted_by_commune(first: date, last: date) -> dict[int, list[tuple[str, str]]]:
    """The restricted areas in force at some time from first to last, (name, kind), by the communes
    they list. An area drawn only as a polygon is tied to no commune here (commune boundaries are
    optional, and a polygon is not matched against them)."""
    by_commune: dict[int, list[tuple[str, str]]] = {}
    for area in restricted_areas_active(first=first, last=last):
        for commune in area.communes.all():
            by_commune.setdefault(commune.code, []).append((area.name, area.kind))
    return by_commune


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def risk_levels_compute(*, on: date, period: str) -> int:
    """Assess every commune of the province for the week starting `on`'s Monday (`week`) or the 7 days
    ending on `on` (`day`), under the rule in force then. Idempotent: a second run replaces the first."""
    if period == Period.WEEK:
        on = week_start(on)
        first, last, previous_on = on, on + timedelta(days=6), on - timedelta(days=7)
    else:
        first, last, previous_on = on - timedelta(days=6), on, on - timedelta(days=1)
    rule = rule_on(last)
    if rule is None:
        return 0
    definition = RuleDefinition.parse(rule.definition)
    cases = dict(
        DailyFigure.objects.filter(day__gte=first, day__lte=last)
        .values("commune_id")
        .annotate(n=Sum("new_cases"))
        .values_list("commune_id", "n")
    )
    profiles = _profiles_on(last)
    restricted = _restricted_by_commune(first, last)
    previous = dict(
        RiskAssessment.objects.filter(period=period, on=previous_on).values_list("commune_id", "level")
    )
    now, rows = timezone.now(), []
    for commune in sorted(_province_communes()):
        profile = profiles.get(commune)
        inputs = Inputs(
            cases=cases.get(commune) or 0,
            population=profile.population if profile else None,
            coverage={name: getattr(profile, name) if profile else None for name in INPUTS},
            treatment_ready=profile.treatment_ready if profile else None,
            previous_level=previous.get(commune),
            restricted_areas=tuple(restricted.get(commune, ())),
        )
        result = assess(definition, inputs)
        rows.append(
            RiskAssessment(
                commune_id=commune,
                period=period,
                on=on,
                rule=rule,
                level=result.level,
                band=result.band,
                inputs=result.as_inputs(inputs),
                reasons=[list(reason) for reason in result.reasons],
                computed_at=now,
            )
        )
    RiskAssessment.objects.filter(period=period, on=on).delete()
    RiskAssessment.objects.bulk_create(rows, batch_size=500)
    return len(rows)


@transaction.atomic
def risk_override_set(
    *,
    commune_code: int,
    level: int,
    reason: str,
    expires_at: datetime,
    actor: User,
    request: HttpRequest | None = None,
) -> RiskOverride:
    """Hold a commune at `level` until `expires_at`, by an official's decision (replaces an active one)."""
    require_or_404(can_override_risk_level, actor, commune_code, message=_("There is no such commune."))
    now = timezone.now()
    reason = reason.strip()
    if level not in (1, 2, 3, 4):
        raise ValidationError({"level": [_("The level is 1, 2, 3 or 4.")]})
    if len(reason) < 5:
        raise ValidationError({"reason": [_("Say why the level is set by decision.")]})
    if expires_at <= now:
        raise ValidationError({"expires_at": [_("The decision must expire in the future.")]})
    if expires_at > now + timedelta(days=settings.QRTRACE_RISK_OVERRIDE_MAX_DAYS):
        raise ValidationError(
            {
                "expires_at": [
                    _("A decision lasts at most %(days)s days.")
                    % {"days": settings.QRTRACE_RISK_OVERRIDE_MAX_DAYS}
                ]
            }
        )
    RiskOverride.objects.filter(commune_id=commune_code, ended_at__isnull=True, expires_at__gt=now).update(
        ended_at=now
    )
    override = RiskOverride.objects.create(
        commune_id=commune_code,
        level=level,
        reason=reason,
        set_by=actor,
        starts_at=now,
        expires_at=expires_at,
    )
    audit_event_create(
        actor=actor,
        action="override",
        object_type="risk_level",
        object_id=commune_code,
        purpose=reason,
        request=request,
        details={"level": level, "expires_at": expires_at.isoformat()},
    )
    return override


def _area_errors(
    *, name: str, kind: str, reason: str, starts_on: date, ends_on: date | None, geometry, codes: list[int]
) -> dict[str, list[str]]:
    """What is wrong with an area as declared or changed (the same rules for both)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the area a name.")]
    if len(reason.strip()) < 5:
        errors["reason"] = [_("Say why the area is restricted.")]
    if kind not in AreaKind.values:
        errors["kind"] = [_("Unknown kind of area.")]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    if (geometry is None) == (not codes):
        errors["geometry"] = [_("Give either a polygon or a list of communes, not both or neither.")]
    known = set(Commune.objects.filter(code__in=codes).values_list("code", flat=True))
    if set(codes) - known:
        errors["commune_codes"] = [
            _("Unknown commune codes: %(codes)s") % {"codes": ", ".join(map(str, sorted(set(codes) - known)))}
        ]
    return errors


def _require_area_rights(actor: User, *, polygon: bool, codes: list[int]) -> None:
    """A polygon is the province office's; a list of communes, their officials' (every one of them)."""
    if polygon:
        require(can_manage_province_data, actor)
    for code in codes:
        require(can_override_risk_level, actor, code)


@transaction.atomic
def restricted_area_create(
    *,
    name: str,
    kind: str,
    reason: str,
    starts_on: date,
    ends_on: date | None,
    geometry: dict | None,
    commune_codes: list[int],
    actor: User,
    request: HttpRequest | None = None,
) -> RestrictedArea:
    """Declare an area under restriction: a polygon (province office) or communes (their officials)."""
    codes = sorted(set(commune_codes))
    errors = _area_errors(
        name=name,
        kind=kind,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        geometry=geometry,
        codes=codes,
    )
    if geometry is not None and "geometry" not in errors:
        try:
            geometry = validate_polygon(geometry)
        except ValidationError as error:
            errors["geometry"] = error.messages
    if errors:
        raise ValidationError(errors)
    _require_area_rights(actor, polygon=geometry is not None, codes=codes)
    area = RestrictedArea.objects.create(
        name=name.strip(),
        kind=kind,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        geometry=geometry,
        created_by=actor,
    )
    area.communes.set(codes)
    audit_event_create(
        actor=actor,
        action="create",
        object_type="restricted_area",
        object_id=area.pk,
        purpose=area.reason,
        request=request,
    )
    return area


def restricted_area_rights(*, actor: User, area: RestrictedArea) -> None:
    """403 unless the actor may change or lift this area (one they see: restricted_area_get)."""
    _require_area_rights(
        actor, polygon=area.geometry is not None, codes=[commune.code for commune in area.communes.all()]
    )


class _Keep:
    """A field the change leaves as it is (`ends_on=None` clears the end date)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _not_lifted(area: RestrictedArea) -> None:
    if area.ended_on is not None:
        raise Conflict(
            _("This area was lifted from %(day)s; declare a new one instead.")
            % {"day": date_text(area.ended_on)}
        )


@transaction.atomic
def restricted_area_change(
    *,
    actor: User,
    request: HttpRequest | None = None,
    area: RestrictedArea,
    name: str | _Keep = KEEP,
    kind: str | _Keep = KEEP,
    reason: str | _Keep = KEEP,
    starts_on: date | _Keep = KEEP,
    ends_on: date | _Keep | None = KEEP,
    commune_codes: list[int] | _Keep = KEEP,
) -> RestrictedArea:
    """Extend or shorten an area's time, or correct its name, kind, reason or communes: checked as a
    new area is, by officials of every commune it lists before and after (audited, old and new)."""
    area = RestrictedArea.objects.select_for_update().get(pk=area.pk)
    _not_lifted(area)
    old_codes = sorted(area.communes.values_list("code", flat=True))
    before = {
        "name": area.name,
        "kind": area.kind,
        "reason": area.reason,
        "starts_on": area.starts_on,
        "ends_on": area.ends_on,
        "commune_codes": old_codes,
    }
    sent = {
        "name": name,
        "kind": kind,
        "reason": reason,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "commune_codes": commune_codes,
    }
    after = {key: before[key] if value is KEEP else value for key, value in sent.items()}
    after["commune_codes"] = sorted(set(after["commune_codes"]))
    after["name"], after["reason"] = after["name"].strip(), after["reason"].strip()
    codes = after.pop("commune_codes")
    errors = _area_errors(**after, geometry=area.geometry, codes=codes)
    if errors:
        if "geometry" in errors and area.geometry is not None:
            errors["commune_codes"] = [_("An area drawn on the map lists no communes.")]
            del errors["geometry"]
        elif "geometry" in errors:
            errors["commune_codes"] = [_("Choose at least one commune.")]
            del errors["geometry"]
        raise ValidationError(errors)
    _require_area_rights(actor, polygon=area.geometry is not None, codes=sorted({*old_codes, *codes}))
    changed = {
        key: [_json_day(before[key]), _json_day(value)]
        for key, value in {**after, "commune_codes": codes}.items()
        if value != before[key]
    }
    if not changed:
        return area
    for key, value in after.items():
        setattr(area, key, value)
    area.save()
    area.communes.set(codes)
    audit_event_create(
        actor=actor,
        action="update",
        object_type="restricted_area",
        object_id=area.pk,
        purpose=area.reason,
        request=request,
        details={"changed": changed},
    )
    return area


def _json_day(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def restricted_area_end(
    *, actor: User, request: HttpRequest | None = None, area: RestrictedArea, on: date, reason: str
) -> RestrictedArea:
    """Lift an area from the day `on` (no longer in force that day), before its planned end, with a
    reason: its end date becomes the day before, the plan and who lifted it why are kept (audited)."""
    area = RestrictedArea.objects.select_for_update().get(pk=area.pk)
    _not_lifted(area)
    errors: dict[str, list[str]] = {}
    if len(reason.strip()) < 5:
        errors["reason"] = [_("Say why the area is lifted.")]
    if on < area.starts_on:
        errors["on"] = [
            _("The area starts on %(day)s: it cannot be lifted before.") % {"day": date_text(area.starts_on)}
        ]
    elif area.ends_on is not None and on > area.ends_on:
        errors["on"] = [_("The area ends on %(day)s anyway.") % {"day": date_text(area.ends_on)}]
    if errors:
        raise ValidationError(errors)
    restricted_area_rights(actor=actor, area=area)
    area.planned_ends_on = area.ends_on
    area.ends_on = on - timedelta(days=1)
    area.ended_on = on
    area.end_reason = reason.strip()
    area.ended_by = actor
    area.ended_at = timezone.now()
    area.save()
    audit_event_create(
        actor=actor,
        action="lift",
        object_type="restricted_area",
        object_id=area.pk,
        purpose=area.end_reason,
        request=request,
        details={"from": on.isoformat(), "planned_ends_on": _json_day(area.planned_ends_on)},
    )
    return area


@transaction.atomic
def boundaries_import(*, data: bytes | str, code_property: str = "code") -> ImportResult:
    """Store commune shapes from a GeoJSON FeatureCollection whose features carry the commune code in
    `properties[code_property]`. Features whose code matches no commune of the province, or whose
    geometry is not a valid polygon, are listed and skipped; the rest are saved."""
    try:
        collection = json.loads(_text(data))
    except json.JSONDecodeError as error:
        raise ValidationError(_("The file is not JSON: %(error)s") % {"error": error}) from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    features = collection.get("features")
    if not isinstance(features, list):
        raise ValidationError(_("The FeatureCollection has no list of features."))
    communes, result, shapes = _province_communes(), ImportResult(), {}
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {} if isinstance(feature, dict) else {}
        raw = str(properties.get(code_property, "")).strip()
        label = f"#{number} ({properties.get('name') or raw or '—'})"
        if not raw.isdigit() or int(raw) not in communes:
            result.unmatched.append(
                _("Feature %(feature)s: code %(code)s matches no commune of the province")
                % {"feature": label, "code": raw or "—"}
            )
            continue
        try:
            shapes[int(raw)] = validate_polygon(feature.get("geometry"))
        except ValidationError as error:
            result.errors.append(
                _("Feature %(feature)s: %(error)s") % {"feature": label, "error": " ".join(error.messages)}
            )
    CommuneBoundary.objects.bulk_create(
        [CommuneBoundary(commune_id=code, geometry=geometry) for code, geometry in shapes.items()],
        update_conflicts=True,
        unique_fields=["commune"],
        update_fields=["geometry", "imported_at"],
    )
    result.saved = len(shapes)
    return result
