"""A new quarantine policy: drafted, previewed (what-if) and applied only when an official confirms."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from qrtrace.accounts.models import User
from qrtrace.accounts.permissions import can_manage_quarantine_policy, require
from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict
from qrtrace.tracing.models import TestType

from ..models import (
    EventKind,
    OrderEvent,
    PolicyRule,
    PolicyStatus,
    QuarantineOrder,
    QuarantinePolicy,
    Reason,
    TestResult,
    Vaccination,
)
from ..policy import Change, day_date, policy_changes


def _rule_rows(rules: list[dict]) -> list[PolicyRule]:
    rows, seen, errors = [], set(), []
    for number, rule in enumerate(rules, start=1):
        reason, vaccination = rule.get("reason"), rule.get("vaccination")
        days, tests = rule.get("days"), rule.get("test_days", [])
        if reason not in Reason.values or vaccination not in Vaccination.values:
            errors.append(_("Rule %(n)s: unknown reason or vaccination status.") % {"n": number})
            continue
        if (reason, vaccination) in seen:
            errors.append(_("Rule %(n)s repeats a reason and vaccination status.") % {"n": number})
            continue
        if not isinstance(days, int) or not 0 <= days <= 60:
            errors.append(_("Rule %(n)s: between 0 and 60 days.") % {"n": number})
            continue
        if not isinstance(tests, list) or any(
            not isinstance(d, int) or not 1 <= d <= max(days, 1) for d in tests
        ):
            errors.append(_("Rule %(n)s: test days lie within the quarantine.") % {"n": number})
            continue
        monitoring = rule.get("monitoring_days", 0)
        if not isinstance(monitoring, int) or not 0 <= monitoring <= 30:
            errors.append(_("Rule %(n)s: between 0 and 30 days of monitoring.") % {"n": number})
            continue
        test_type = rule.get("test_type", TestType.PCR)
        if test_type not in TestType.values:
            errors.append(_("Rule %(n)s: unknown test.") % {"n": number})
            continue
        seen.add((reason, vaccination))
        rows.append(
            PolicyRule(
                reason=reason,
                vaccination=vaccination,
                days=days,
                test_days=sorted(set(tests)),
                test_type=test_type,
                home_allowed=bool(rule.get("home_allowed", True)),
                monitoring_days=monitoring,
            )
        )
    if not rows and not errors:
        errors.append(_("Give at least one rule."))
    if errors:
        raise ValidationError({"rules": errors})
    return rows


@transaction.atomic
def policy_draft_create(
    *,
    actor: User,
    version: str,
    title: str,
    effective_from: date,
    rules: list[dict],
    source: str = "",
    checks_per_day: int = 2,
    request: HttpRequest | None = None,
) -> QuarantinePolicy:
    """A draft policy: nothing changes until it is applied. Reason × vaccination cells it does not
    give are taken from the policy in force."""
    require(can_manage_quarantine_policy, actor)
    errors = {}
    if not version.strip():
        errors["version"] = [_("This field is required.")]
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if checks_per_day not in (1, 2):
        errors["checks_per_day"] = [_("One or two checks a day.")]
    if effective_from < timezone.localdate() - timedelta(days=365):
        errors["effective_from"] = [_("A new policy cannot start more than a year ago.")]
    if errors:
        raise ValidationError(errors)
    rows = _rule_rows(rules)
    try:
        with transaction.atomic():
            policy = QuarantinePolicy.objects.create(
                version=version.strip()[:40],
                title=title.strip()[:300],
                source=source.strip()[:300],
                effective_from=effective_from,
                checks_per_day=checks_per_day,
            )
    except IntegrityError:
        raise Conflict(_("A policy with this version exists already.")) from None
    given = {(r.reason, r.vaccination) for r in rows}
    current = (
        QuarantinePolicy.objects.filter(status=PolicyStatus.ACTIVE).order_by("-effective_from", "-pk").first()
    )
    inherited = [
        r for r in (current.rules.all() if current else []) if (r.reason, r.vaccination) not in given
    ]
    for row in [*rows, *inherited]:
        row.pk, row.policy = None, policy
    PolicyRule.objects.bulk_create([*rows, *inherited])
    audit_event_create(
        actor=actor,
        action="create",
        object_type="quarantine_policy",
        object_id=policy.version,
        request=request,
    )
    return policy


@transaction.atomic
def policy_apply(
    *, actor: User, policy: QuarantinePolicy, expected: list[int], request: HttpRequest | None = None
) -> list[Change]:
    """Put a draft in force and re-plan the open orders its what-if listed. `expected` is the order ids
    the official saw in the preview; if the list changed since, nothing is applied (review again)."""
    require(can_manage_quarantine_policy, actor)
    policy = QuarantinePolicy.objects.select_for_update().get(pk=policy.pk)
    if policy.status != PolicyStatus.DRAFT:
        raise Conflict(_("This policy is in force already."))
    changes = policy_changes(policy)
    if sorted(expected) != sorted(c.order_id for c in changes):
        raise Conflict(_("The orders this policy changes are not the ones you reviewed: preview it again."))
    orders = {
        o.pk: o
        for o in QuarantineOrder.objects.select_for_update(of=("self",)).filter(
            pk__in=[c.order_id for c in changes]
        )
    }
    for change in changes:
        order = orders[change.order_id]
        order.planned_end = change.new_planned_end
        order.test_days = list(change.new_test_days)
        order.monitoring_days = change.new_monitoring_days
        order.policy = policy
        order.save(update_fields=["planned_end", "test_days", "monitoring_days", "policy", "updated_at"])
        order.tests.filter(result=TestResult.PENDING).exclude(day__in=change.new_test_days).delete()
        have = set(order.tests.values_list("day", flat=True))
        test_type = (
            policy.rules.filter(reason=order.reason, vaccination=order.vaccination)
            .values_list("test_type", flat=True)
            .first()
        )
        order.tests.bulk_create(
            [
                order.tests.model(
                    order=order,
                    day=d,
                    due_on=day_date(order.start_date, d),
                    test_type=test_type or TestType.PCR,
                )
                for d in change.new_test_days
                if d not in have
            ]
        )
        OrderEvent.objects.create(
            order=order,
            kind=EventKind.POLICY,
            by=actor,
            reason=policy.version,
            details={"from": change.planned_end.isoformat(), "to": change.new_planned_end.isoformat()},
        )
    policy.status, policy.applied_at, policy.applied_by = PolicyStatus.ACTIVE, timezone.now(), actor
    policy.save(update_fields=["status", "applied_at", "applied_by"])
    audit_event_create(
        actor=actor,
        action="apply",
        object_type="quarantine_policy",
        object_id=policy.version,
        purpose="quarantine policy change",
        request=request,
        person_ids=[o.person_id for o in orders.values()],
        details={"orders": len(changes)},
    )
    return changes
