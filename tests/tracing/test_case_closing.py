"""A case records when it closed: the start of its tracing data's retention."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from qrtrace.tracing.models import Case, CaseStatus
from qrtrace.tracing.services import case_update
from tests.actors import make_person

pytestmark = pytest.mark.django_db


def _update(case: Case, actor, status: str) -> Case:
    return case_update(case=case, actor=actor, status=status, isolated_at=None, treated_at_place="", notes="")


def test_closing_a_case_stamps_the_time_and_reopening_it_clears_it(province_official):
    case = Case.objects.create(person=make_person(), confirmed_at=timezone.now())
    before = timezone.now()

    closed = _update(case, province_official, CaseStatus.RECOVERED)
    first_closed_at = closed.closed_at
    _update(closed, province_official, CaseStatus.DIED)  # a correction keeps the first closing time

    assert first_closed_at >= before and Case.objects.get().closed_at == first_closed_at
    assert _update(closed, province_official, CaseStatus.ACTIVE).closed_at is None


def test_the_case_page_says_when_the_contacts_data_goes(client, province_official):
    case = Case.objects.create(person=make_person(), confirmed_at=timezone.now())
    _update(case, province_official, CaseStatus.RECOVERED)
    client.force_login(province_official)
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    until = f"{timezone.localtime(case.tracing_data_until):%d/%m/%Y}"
    assert "Đã đóng ca" in page and until in page


def test_a_closed_case_without_a_closing_time_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        Case.objects.create(person=make_person(), confirmed_at=timezone.now(), status=CaseStatus.RECOVERED)
