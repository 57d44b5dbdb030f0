"""What a policy says for one order: its plan (end date, test days, monitoring, checks a day), and
which open orders a new policy would change (what-if). Pure reads: nothing here writes."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import OPEN_STATUSES, PolicyRule, PolicyStatus, QuarantineOrder, QuarantinePolicy


@dataclass(frozen=True)
class Plan:
    policy: QuarantinePolicy
    planned_end: date
    test_days: tuple[int, ...]
    test_type: str
    monitoring_days: int
    checks_per_day: int
    home_allowed: bool


def policy_in_force(on: date) -> QuarantinePolicy:
    policy = (
        QuarantinePolicy.objects.filter(status=PolicyStatus.ACTIVE, effective_from__lte=on)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if policy is None:
        raise ValidationError(_("No quarantine policy is in force on %(day)s.") % {"day": on.isoformat()})
    return policy


def rule_of(policy: QuarantinePolicy, *, reason: str, vaccination: str) -> PolicyRule:
    rule = PolicyRule.objects.filter(policy=policy, reason=reason, vaccination=vaccination).first()
    if rule is None:
        raise ValidationError(
            _("Policy %(version)s has no rule for this reason and vaccination status.")
            % {"version": policy.version}
        )
    return rule


def plan_for(*, policy: QuarantinePolicy, reason: str, vaccination: str, start: date) -> Plan:
    """Day 1 is the start date; the planned end is the first day out (start + the policy's days)."""
    rule = rule_of(policy, reason=reason, vaccination=vaccination)
    return Plan(
        policy=policy,
        planned_end=start + timedelta(days=rule.days),
        test_days=tuple(sorted({int(d) for d in rule.test_days if 1 <= int(d) <= max(rule.days, 1)})),
        test_type=rule.test_type,
        monitoring_days=rule.monitoring_days,
        checks_per_day=policy.checks_per_day,
        home_allowed=rule.home_allowed,
    )


def day_date(start: date, day: int) -> date:
    return start + timedelta(days=day - 1)


@dataclass(frozen=True)
class Change:
    """How a new policy would change one open order."""

    order_id: int
    planned_end: date
    new_planned_end: date
    test_days: tuple[int, ...]
    new_test_days: tuple[int, ...]
    monitoring_days: int
    new_monitoring_days: int


def policy_changes(policy: QuarantinePolicy) -> list[Change]:
    """The open orders `policy` would change if applied now, and how: an order keeps its start and is
    re-planned under the new rule of its reason and vaccination status. Orders the new rule leaves as
    they are are not listed."""
    rules = {(r.reason, r.vaccination): r for r in PolicyRule.objects.filter(policy=policy)}
    changes = []
    orders = QuarantineOrder.objects.filter(status__in=OPEN_STATUSES).order_by("pk")
    fields = ("pk", "reason", "vaccination", "start_date", "planned_end", "test_days", "monitoring_days")
    for pk, reason, vaccination, start, end, tests, monitoring in orders.values_list(*fields):
        rule = rules.get((reason, vaccination))
        if rule is None:
            continue
        new_end = start + timedelta(days=rule.days)
        new_tests = tuple(sorted({int(d) for d in rule.test_days if 1 <= int(d) <= max(rule.days, 1)}))
        old_tests = tuple(sorted(int(d) for d in tests))
        if (new_end, new_tests, rule.monitoring_days) != (end, old_tests, monitoring):
            changes.append(Change(pk, end, new_end, old_tests, new_tests, monitoring, rule.monitoring_days))
    return changes
