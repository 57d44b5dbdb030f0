"""Exposure SMS: nobody is messaged before an official reviews and sends, F1 before F2 with their own
texts, a dismissed contact never, and nobody twice."""

import json
from datetime import timedelta

import pytest

from qrtrace.audit.models import AuditEvent
from qrtrace.lib.errors import Conflict
from qrtrace.notifications.models import Message, MessageStatus
from qrtrace.notifications.services import messages_deliver
from qrtrace.tracing.models import Case, Exposure, ExposureStatus
from qrtrace.tracing.services import case_notifications_confirm, case_trace, exposure_dismiss
from tests import actors

from .conftest import visit
from .reference import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings, tmp_path):
    """The file backend: each test reads exactly what went out, one JSON line per message."""
    settings.QRTRACE_NOTIFY_BACKEND = "file"
    settings.QRTRACE_NOTIFY_FILE = tmp_path / "sms.log"

    def sent() -> list[dict]:
        if not settings.QRTRACE_NOTIFY_FILE.exists():
            return []
        return [json.loads(line) for line in settings.QRTRACE_NOTIFY_FILE.read_text().splitlines()]

    return sent


@pytest.fixture
def chain():
    """A case at a market with two F1s; one of them later meets three F2s at a shop."""
    market, shop = actors.make_venue("Chợ Vườn Hoa"), actors.make_venue("Cửa hàng", kind="shop")
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    f1 = [actors.make_person(f"F1 {i}", f"+8491200001{i}", commune_id=actors.COMMUNE_A) for i in range(2)]
    f2 = [actors.make_person(f"F2 {i}", f"+8491200002{i}", commune_id=actors.COMMUNE_A) for i in range(3)]
    visit(f0, market, 20)
    for person in f1:
        visit(person, market, 20.5)
    visit(f1[0], shop, 30)
    for person in f2:
        visit(person, shop, 30.2)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    return case, f1, f2


def _phones(people) -> set[str]:
    return {person.phone for person in people}


def test_tracing_messages_nobody_until_an_official_confirms(chain, province_official):
    case, _f1, _f2 = chain
    summary = case_trace(case=case, actor=province_official)
    assert (summary.f1_count, summary.f2_count) == (2, 3)
    assert not Message.objects.exists()


def test_a_contact_dismissed_after_tracing_is_never_messaged(chain, province_official, outbox):
    case, f1, f2 = chain
    case_trace(case=case, actor=province_official)
    dismissed = Exposure.objects.get(case=case, person=f1[1])
    exposure_dismiss(exposure=dismissed, actor=province_official, reason="Nhân viên y tế có bảo hộ")
    messages_deliver()
    assert f1[1].phone not in {line["to"] for line in outbox()}
    case_notifications_confirm(case=case, actor=province_official)
    messages_deliver()
    assert {line["to"] for line in outbox()} == _phones([f1[0], *f2])


def test_a_message_not_yet_sent_when_its_contact_is_dismissed_is_cancelled(
    client, chain, commune_official, outbox
):
    case, f1, _f2 = chain
    case_trace(case=case, actor=commune_official)
    case_notifications_confirm(case=case, actor=commune_official)
    exposure = Exposure.objects.get(case=case, person=f1[1])
    exposure_dismiss(exposure=exposure, actor=commune_official, reason="Nhân viên y tế có bảo hộ")
    messages_deliver()
    assert f1[1].phone not in {line["to"] for line in outbox()}
    assert Message.objects.get(person=f1[1]).status == MessageStatus.CANCELLED
    client.force_login(commune_official)
    body = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    row = body[body.index("<td>F1 1") :].split("</tr>")[0]
    assert "Đã loại" in row and "Đã hủy" in row and "Đã gửi" not in row


def test_contacts_closed_by_a_discarded_case_lose_their_unsent_messages(chain, province_official):
    from qrtrace.tracing.services import case_update

    case, _f1, _f2 = chain
    case_trace(case=case, actor=province_official)
    case_notifications_confirm(case=case, actor=province_official)
    discarded = {"status": "discarded", "isolated_at": None, "treated_at_place": "", "notes": ""}
    case_update(case=case, actor=province_official, **discarded)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.CANCELLED}


def test_f1_messages_go_out_before_f2_messages(chain, province_official, outbox):
    case, f1, _f2 = chain
    case_trace(case=case, actor=province_official)
    case_notifications_confirm(case=case, actor=province_official)
    messages_deliver(limit=2)
    assert {line["to"] for line in outbox()} == _phones(f1)


def test_an_f1_of_a_later_case_goes_out_before_the_f2_of_an_earlier_one(chain, province_official, outbox):
    case, _f1, _f2 = chain
    case_trace(case=case, actor=province_official)
    Exposure.objects.filter(case=case, level="F1").update(status=ExposureStatus.DISMISSED)
    case_notifications_confirm(case=case, actor=province_official)  # three F2 queued first
    other = actors.make_person("Ca bệnh 2", "+84912000031", commune_id=actors.COMMUNE_A)
    contact = actors.make_person("F1 ca 2", "+84912000032", commune_id=actors.COMMUNE_A)
    school = actors.make_venue("Trường học")
    visit(other, school, 25)
    visit(contact, school, 25.2)
    later = Case.objects.create(person=other, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=later, actor=province_official)
    case_notifications_confirm(case=later, actor=province_official)
    messages_deliver(limit=1)
    assert [line["to"] for line in outbox()] == [contact.phone]


def test_f1_and_f2_get_their_own_vietnamese_texts(chain, province_official, outbox):
    case, f1, f2 = chain
    case_trace(case=case, actor=province_official)
    case_notifications_confirm(case=case, actor=province_official)
    messages_deliver()
    texts = {line["to"]: line["body"] for line in outbox()}
    f1_text, f2_text = texts[f1[0].phone], texts[f2[0].phone]
    assert f1_text != f2_text
    assert "(F1)" in f1_text and "xét nghiệm" in f1_text and "cách ly" in f1_text
    assert "F2" in f2_text and "theo dõi sức khỏe" in f2_text and "Trạm Y tế" in f2_text


def test_a_retrace_messages_only_the_people_not_yet_told(chain, province_official, outbox):
    case, f1, f2 = chain
    case_trace(case=case, actor=province_official)
    case_notifications_confirm(case=case, actor=province_official)
    messages_deliver()
    latecomer = actors.make_person("Đến muộn", "+84912000041", commune_id=actors.COMMUNE_A)
    visit(latecomer, Exposure.objects.get(person=f1[0]).venue, 20.7)
    case_trace(case=case, actor=province_official)
    queued = case_notifications_confirm(case=case, actor=province_official)
    messages_deliver()
    assert queued == {"F1": 1, "F2": 0}
    recipients = [line["to"] for line in outbox()]
    assert sorted(recipients) == sorted([*_phones([*f1, *f2]), latecomer.phone])


def test_counts_that_changed_since_the_review_send_nothing(chain, province_official):
    case, f1, _f2 = chain
    case_trace(case=case, actor=province_official)
    exposure_dismiss(
        exposure=Exposure.objects.get(person=f1[1]), actor=province_official, reason="Nhầm người"
    )
    with pytest.raises(Conflict):
        case_notifications_confirm(case=case, actor=province_official, expected={"F1": 2, "F2": 3})
    assert not Message.objects.exists()


def test_the_review_page_shows_the_count_and_text_per_level_and_sending_is_audited(
    client, chain, commune_official, outbox
):
    case, f1, f2 = chain
    case_trace(case=case, actor=commune_official)
    client.force_login(commune_official)
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Chờ bạn xem lại: 2 F1 và 3 F2" in page
    review = client.get(f"/tracing/cases/{case.pk}/notify").content.decode()
    assert "F1: 2 người" in review and "F2: 3 người" in review and "Gửi cho 5 người" in review
    assert "bạn đã tiếp xúc gần (F1)" in review
    response = client.post(f"/tracing/cases/{case.pk}/notify", {"f1": 2, "f2": 3})
    assert response.status_code == 302
    messages_deliver()
    assert {line["to"] for line in outbox()} == _phones([*f1, *f2])
    event = AuditEvent.objects.get(action="notify_contacts")
    assert (event.object_id, event.details) == (str(case.pk), {"F1": 2, "F2": 3})


def test_the_review_page_of_an_outdated_list_says_so_and_sends_nothing(client, chain, commune_official):
    case, _f1, _f2 = chain
    case_trace(case=case, actor=commune_official)
    client.force_login(commune_official)
    response = client.post(f"/tracing/cases/{case.pk}/notify", {"f1": 1, "f2": 3}, follow=True)
    assert "hãy xem lại" in response.content.decode()
    assert not Message.objects.exists()


def test_a_malformed_review_form_is_an_error_message_not_a_500(client, chain, commune_official):
    case, _f1, _f2 = chain
    client.force_login(commune_official)
    response = client.post(f"/tracing/cases/{case.pk}/notify", {"f1": "nhiều", "f2": "-1"})
    assert response.status_code == 200
    assert "Hãy xem lại danh sách trước khi gửi" in response.content.decode()
