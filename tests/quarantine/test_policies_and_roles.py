"""Policies are dated data shipped by migrate; the quarantine role is scoped to a facility."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qrtrace.accounts.models import Membership
from qrtrace.accounts.selectors import user_jurisdiction
from qrtrace.quarantine.models import QuarantinePolicy
from qrtrace.quarantine.policy import plan_for, policy_in_force


def test_migrate_ships_the_feb_2022_rule_in_force_and_the_earlier_ones_as_history(db):
    versions = list(QuarantinePolicy.objects.order_by("effective_from").values_list("version", flat=True))
    assert versions == ["BYT-2021-05", "BYT-2021-07", "BYT-2021-10", "BYT-2021-12", "BYT-2022-02"]
    assert policy_in_force(date(2026, 1, 1)).version == "BYT-2022-02"
    assert policy_in_force(date(2021, 8, 1)).version == "BYT-2021-07"
    assert all(p.source for p in QuarantinePolicy.objects.all())


def test_a_fully_vaccinated_f1_gets_five_days_and_a_pcr_on_day_five_under_the_feb_2022_rule(db):
    start = date(2026, 3, 1)
    plan = plan_for(policy=policy_in_force(start), reason="f1", vaccination="full", start=start)
    assert (plan.planned_end, plan.test_days, plan.monitoring_days, plan.home_allowed) == (
        start + timedelta(days=5),
        (5,),
        5,
        True,
    )
    unvaccinated = plan_for(policy=policy_in_force(start), reason="f1", vaccination="none", start=start)
    assert (unvaccinated.planned_end, unvaccinated.test_days, unvaccinated.monitoring_days) == (
        start + timedelta(days=7),
        (7,),
        3,
    )


def test_may_2021_put_everyone_in_a_facility_for_21_days(db):
    start = date(2021, 6, 1)
    plan = plan_for(policy=policy_in_force(start), reason="f1", vaccination="full", start=start)
    assert plan.planned_end == start + timedelta(days=21) and plan.home_allowed is False


def test_official_add_with_the_quarantine_role_scopes_the_user_to_the_facility(facility):
    call_command("official", "add", "kcl_staff", "--role", "quarantine", "--area", facility.code.lower())
    membership = Membership.objects.get(user__username="kcl_staff")
    assert (membership.area_code, membership.commune_id) == (facility.code, facility.commune_id)
    assert user_jurisdiction(membership.user).facilities == frozenset({facility.code})
    assert not user_jurisdiction(membership.user).covers_areas


def test_official_add_refuses_an_unknown_facility_code(db):
    with pytest.raises(CommandError, match="KCL-NONE"):
        call_command("official", "add", "x", "--role", "quarantine", "--area", "KCL-NONE")
