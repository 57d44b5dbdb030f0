"""Legal holds: placed and lifted by the province office with a reason and an end date, audited,
listed for review."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.lib.errors import Conflict
from qrtrace.privacy.models import LegalHold
from qrtrace.privacy.services import legal_hold_lift, legal_hold_place
from qrtrace.tracing.models import Case
from tests.actors import make_person

pytestmark = pytest.mark.django_db

REASON = "Thanh tra Sở Y tế, công văn 123/TTr"


@pytest.fixture
def case(db):
    return Case.objects.create(person=make_person("Ca bệnh", "+84900000001"), confirmed_at=timezone.now())


def _place(actor, case, *, days: int = 30, reason: str = REASON) -> LegalHold:
    until = timezone.localdate() + timedelta(days=days)
    return legal_hold_place(actor=actor, case_id=case.pk, reason=reason, until=until)


def test_placing_and_lifting_a_hold_are_audited_with_who_why_and_until(case, province_official):
    hold = _place(province_official, case)
    assert (hold.placed_by, hold.reason, hold.is_live(timezone.now())) == (province_official, REASON, True)
    placed = AuditEvent.objects.get(action="legal_hold_place")
    assert (placed.actor, placed.object_id, placed.details["until"]) == (
        province_official,
        str(case.pk),
        hold.until.isoformat(),
    )

    lifted = legal_hold_lift(actor=province_official, hold_id=hold.pk, reason="Thanh tra đã kết thúc")

    assert lifted.lifted_by == province_official and not lifted.is_live(timezone.now())
    event = AuditEvent.objects.get(action="legal_hold_lift")
    assert event.details == {"hold": hold.pk, "reason": "Thanh tra đã kết thúc"}
    with pytest.raises(Conflict):
        legal_hold_lift(actor=province_official, hold_id=hold.pk, reason="Lần thứ hai gỡ bỏ")


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(-1, REASON, "until"), (366, REASON, "until"), (30, "ngắn", "reason")],
    ids=["in the past", "longer than the maximum", "no real reason"],
)
def test_a_hold_needs_a_reason_and_an_end_within_the_maximum(case, province_official, days, reason, field):
    with pytest.raises(ValidationError) as error:
        _place(province_official, case, days=days, reason=reason)
    assert field in error.value.message_dict
    assert not LegalHold.objects.exists()


def test_commune_stations_may_not_place_holds(case, commune_official):
    with pytest.raises(PermissionDenied):
        _place(commune_official, case)


def test_the_review_page_lists_holds_in_force_and_those_ended(client, case, province_official):
    live = _place(province_official, case)
    ended = LegalHold.objects.create(case=case, reason="Hồ sơ khiếu nại đã xong", until=timezone.localdate())
    LegalHold.objects.filter(pk=ended.pk).update(until=timezone.localdate() - timedelta(days=3))
    client.force_login(province_official)

    page = client.get("/privacy/holds/").content.decode()

    assert page.count('<tr class="hold">') == 1 and page.count('<tr class="hold-ended">') == 1
    assert REASON in page and "Hồ sơ khiếu nại đã xong" in page and f"/privacy/holds/{live.pk}/lift" in page
    assert "Lệnh giữ dữ liệu" in page  # Vietnamese by default


def test_the_page_places_a_hold_and_explains_a_wrong_case_number_in_vietnamese(
    client, case, province_official
):
    client.force_login(province_official)
    until = (timezone.localdate() + timedelta(days=10)).isoformat()

    wrong = client.post("/privacy/holds/", {"case": case.pk + 1000, "reason": REASON, "until": until})
    placed = client.post("/privacy/holds/", {"case": case.pk, "reason": REASON, "until": until})

    assert wrong.status_code == 400 and "Không có ca bệnh mang số này." in wrong.content.decode()
    assert placed.status_code == 302 and LegalHold.objects.get().case == case


def test_lifting_a_hold_that_does_not_exist_is_a_404(client, province_official):
    client.force_login(province_official)
    assert client.post("/privacy/holds/999/lift", {"reason": "Không còn cần giữ nữa"}).status_code == 404
