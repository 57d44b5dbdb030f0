"""The rules of accounts.permissions, asked of every standard actor, and the answers they give."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from qrtrace.accounts import permissions
from qrtrace.accounts.permissions import (
    area_q,
    can_add_facility,
    can_add_venue,
    can_announce_in,
    can_approve_venue,
    can_follow_home_quarantine,
    can_handle_feedback,
    can_issue_posters,
    can_manage_facility,
    can_manage_legal_holds,
    can_manage_province_data,
    can_manage_quarantine_policy,
    can_manage_venue,
    can_order_quarantine,
    can_override_risk_level,
    can_read_audit,
    can_read_case,
    can_read_feedback,
    can_read_order,
    can_read_person,
    can_read_phone_numbers,
    can_read_visitors,
    can_review_alert,
    can_trace,
    can_use_gate,
    can_view_commune,
    can_view_dashboard,
    can_write_announcements,
    is_quarantine_official,
    require,
    require_or_404,
    residents_q,
    venues_q,
)
from qrtrace.geo.models import Commune
from qrtrace.people.models import Person
from qrtrace.venues.models import Venue
from tests import actors

pytestmark = pytest.mark.django_db

ACTORS = ("anon", "staff", "staff_other", "commune", "commune_out", "province", "province_out", "admin")


@pytest.fixture
def world():
    venue_a = actors.make_venue("Chợ Vườn Hoa", actors.COMMUNE_A)
    venue_b = actors.make_venue("Siêu thị Quảng Phú", actors.COMMUNE_B)
    other_province = Commune.objects.get(code=actors.OTHER_PROVINCE_COMMUNE).province_id
    users = {
        "anon": AnonymousUser(),
        "staff": actors.make_official("staff_a", "venue", venue_a.code),
        "staff_other": actors.make_official("staff_b", "venue", venue_b.code),
        "commune": actors.make_official("tram_a", "commune", actors.COMMUNE_A),
        "commune_out": actors.make_official("tram_b", "commune", actors.COMMUNE_B),
        "province": actors.make_official("cdc", "province", actors.PROVINCE),
        "province_out": actors.make_official("cdc_na", "province", other_province),
        "admin": actors.make_admin(),
    }
    return SimpleNamespace(venue_a=venue_a, venue_b=venue_b, users=users)


# (rule, what it is asked about, the answer for each of ACTORS: 1 allowed, 0 refused)
RULES = [
    (can_trace, (), "0 0 0 1 1 1 1 1"),
    (can_read_case, ("commune A",), "0 0 0 1 0 1 0 1"),
    (can_read_case, ("commune B",), "0 0 0 0 1 1 0 1"),
    (can_read_case, ("another province",), "0 0 0 0 0 0 1 1"),
    # No commune on record: no station's resident, so the province office's (of this province only).
    (can_read_person, (None,), "0 0 0 0 0 1 0 1"),
    (can_read_person, ("commune A",), "0 0 0 1 0 1 0 1"),
    (can_manage_venue, ("venue A",), "0 1 0 1 0 1 0 1"),
    (can_use_gate, ("venue A",), "0 1 0 1 0 1 0 1"),
    (can_read_visitors, ("venue A",), "0 1 0 1 0 1 0 1"),
    (can_read_visitors, ("venue B",), "0 0 1 0 1 1 0 1"),
    # Its own staff may not decide on a venue, nor publish its alerts.
    (can_approve_venue, ("venue A",), "0 0 0 1 0 1 0 1"),
    (can_review_alert, ("venue A",), "0 0 0 1 0 1 0 1"),
    (can_add_venue, ("commune A",), "0 0 0 1 0 1 0 1"),
    (can_issue_posters, ("commune B",), "0 0 0 0 1 1 0 1"),
    (can_read_phone_numbers, (), "0 0 0 1 1 1 1 1"),
    (can_read_audit, (), "0 0 0 0 0 1 0 1"),
    (can_manage_legal_holds, (), "0 0 0 0 0 1 0 1"),
    # Announcements: the whole province is its office's; a commune, its station's and the office's.
    (can_write_announcements, (), "0 0 0 1 1 1 1 1"),
    (can_announce_in, ("no communes",), "0 0 0 0 0 1 0 1"),
    (can_announce_in, ("communes A",), "0 0 0 1 0 1 0 1"),
    (can_announce_in, ("communes A and B",), "0 0 0 0 0 1 0 1"),
    (can_read_feedback, (), "0 0 0 1 1 1 1 1"),
    (can_handle_feedback, ("commune A",), "0 0 0 1 0 1 0 1"),
    # The dashboard: figures for officials of an area, each of their own communes.
    (can_view_dashboard, (), "0 0 0 1 1 1 1 1"),
    (can_view_commune, ("commune A",), "0 0 0 1 0 1 0 1"),
    (can_view_commune, ("another province",), "0 0 0 0 0 0 1 1"),
    (can_override_risk_level, ("commune B",), "0 0 0 0 1 1 0 1"),
    (can_manage_province_data, (), "0 0 0 0 0 1 0 1"),
    # Quarantine (facility staff are asked in tests/quarantine: they are not among these actors).
    (can_add_facility, ("commune A",), "0 0 0 0 0 1 0 1"),
    (can_manage_facility, ("facility A",), "0 0 0 0 0 1 0 1"),
    (can_order_quarantine, (), "0 0 0 1 1 1 1 1"),
    (can_read_order, ("home order, commune A",), "0 0 0 1 0 1 0 1"),
    (can_read_order, ("commune B resident in facility A",), "0 0 0 0 1 1 0 1"),
    (can_follow_home_quarantine, ("commune A",), "0 0 0 1 0 1 0 1"),
    (can_manage_quarantine_policy, (), "0 0 0 0 0 1 0 1"),
    (is_quarantine_official, (), "0 0 0 1 1 1 1 1"),
]
_FACILITY_A = SimpleNamespace(code="KCL-A", commune_id=actors.COMMUNE_A)


def _argument(world, name: str | None):
    return {
        None: None,
        "commune A": actors.COMMUNE_A,
        "commune B": actors.COMMUNE_B,
        "another province": actors.OTHER_PROVINCE_COMMUNE,
        "venue A": world.venue_a,
        "venue B": world.venue_b,
        "no communes": [],
        "communes A": [actors.COMMUNE_A],
        "communes A and B": [actors.COMMUNE_A, actors.COMMUNE_B],
        "facility A": _FACILITY_A,
        "home order, commune A": SimpleNamespace(kind="home", commune_id=actors.COMMUNE_A, facility=None),
        "commune B resident in facility A": SimpleNamespace(
            kind="facility", commune_id=actors.COMMUNE_B, facility=_FACILITY_A
        ),
    }[name]


@pytest.mark.parametrize(
    ("rule", "about", "answers"),
    RULES,
    ids=[f"{rule.__name__}({', '.join(map(str, about))})" for rule, about, _answers in RULES],
)
def test_each_rule_answers_each_actor_as_the_table_says(world, rule, about, answers):
    args = [_argument(world, name) for name in about]
    given = {actor: int(rule(world.users[actor], *args)) for actor in ACTORS}
    assert given == dict(zip(ACTORS, map(int, answers.split()), strict=True))


def test_rules_take_any_object_with_a_code_and_a_commune(world):
    # accounts sits below venues: a rule reads what it needs and never imports the model.
    elsewhere = SimpleNamespace(code="NOWHERE", commune_id=actors.COMMUNE_B)
    assert can_manage_venue(world.users["staff"], SimpleNamespace(code=world.venue_a.code, commune_id=None))
    assert not can_manage_venue(world.users["commune"], elsewhere)
    assert can_manage_venue(world.users["commune_out"], elsewhere)


def test_an_inactive_official_is_refused_everything(world):
    official = world.users["province"]
    official.is_active = False
    assert not can_trace(official)
    assert not can_read_audit(official)
    assert not can_manage_venue(official, world.venue_a)


def test_require_refuses_with_403_and_the_rules_message_in_the_callers_language(world):
    with translation.override("vi"), pytest.raises(PermissionDenied) as refused:
        require(can_trace, world.users["staff"])
    assert str(refused.value) == "Chỉ cán bộ y tế xã, phường và tỉnh mới được truy vết ca bệnh."
    with pytest.raises(PermissionDenied, match=r"^Another reason\.$"):
        require(can_approve_venue, world.users["staff"], world.venue_a, message="Another reason.")
    require(can_approve_venue, world.users["commune"], world.venue_a)  # allowed: no exception


def test_require_or_404_answers_as_for_a_missing_record(world):
    with pytest.raises(Http404, match=r"^No such venue\.$"):
        require_or_404(can_use_gate, world.users["staff_other"], world.venue_a, message="No such venue.")
    require_or_404(can_use_gate, world.users["staff"], world.venue_a, message="No such venue.")


def test_the_filters_keep_exactly_the_rows_the_rules_allow(world):
    people = [
        actors.make_person("A", "+84912000001", commune_id=actors.COMMUNE_A),
        actors.make_person("B", "+84912000002", commune_id=actors.COMMUNE_B),
        actors.make_person("Nghệ An", "+84912000003", commune_id=actors.OTHER_PROVINCE_COMMUNE),
        actors.make_person("Không rõ", "+84912000004"),
    ]
    for actor in ACTORS:
        user = world.users[actor]
        if not user.is_authenticated:
            continue
        kept = set(Person.objects.filter(residents_q(user, field="")).values_list("pk", flat=True))
        assert kept == {p.pk for p in people if can_read_person(user, p.commune_id)}, actor
        venues = set(Venue.objects.filter(venues_q(user)).values_list("pk", flat=True))
        assert venues == {v.pk for v in (world.venue_a, world.venue_b) if can_manage_venue(user, v)}, actor
        codes = [actors.COMMUNE_A, actors.COMMUNE_B, actors.OTHER_PROVINCE_COMMUNE]
        covered = Commune.objects.filter(area_q(user, ""), code__in=codes)
        communes = set(covered.values_list("code", flat=True))
        assert communes == {code for code in codes if can_handle_feedback(user, code)}, actor


def test_the_memberships_are_read_once_and_rules_then_cost_no_query(world):
    official = world.users["commune"]
    official = type(official).objects.get(pk=official.pk)  # a fresh object, as each request loads
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            can_trace(official)
            can_read_case(official, actors.COMMUNE_A)
            can_manage_venue(official, world.venue_a)
    assert len(queries) == 1 and "accounts_membership" in queries[0]["sql"]


def test_every_rule_in_the_module_is_in_the_table():
    declared = {
        name
        for name, value in vars(permissions).items()
        if (callable(value) and hasattr(value, "refusal")) or name.startswith("can_")
    }
    assert declared == {rule.__name__ for rule, _about, _answers in RULES}
