from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn, Person
from qrtrace.privacy.services import personal_data_models
from qrtrace.tracing.models import Case, Exposure
from qrtrace.venues.models import Venue
from tests.actors import make_person, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_data(db):
    venue = make_venue()
    case_person, contact = make_person("Ca bệnh", "+84900000001"), make_person("F1", "+84900000002")
    make_person("Cháu bé", None, guardian=contact)
    for person in (case_person, contact):
        CheckIn.objects.create(venue=venue, person=person, entered_at=timezone.now(), method="self_scan")
    case = Case.objects.create(person=case_person, confirmed_at=timezone.now() - timedelta(hours=1))
    Exposure.objects.create(case=case, person=contact, level="F1", source_person=case_person)


def _shutdown(monkeypatch, typed: str | None, *args: str) -> str:
    if typed is not None:
        monkeypatch.setattr("builtins.input", lambda prompt: typed)
    out = StringIO()
    call_command("shutdown", *args, stdout=out)
    return out.getvalue()


def test_shutdown_deletes_every_personal_record_after_the_province_name_is_typed(province_data, monkeypatch):
    out = _shutdown(monkeypatch, "  thanh HÓA ")
    assert not Person.objects.exists()
    assert not CheckIn.objects.exists() and not Case.objects.exists() and not Exposure.objects.exists()
    assert Venue.objects.count() == 1  # places are not personal data
    assert "checkins.Person: 3 deleted" in out
    tables = AuditEvent.objects.get(action="erase_all").details["tables"]
    assert tables["checkins.CheckIn"] == {"before": 2, "deleted": 2, "after": 0}


def test_shutdown_with_a_wrong_name_deletes_nothing(province_data, monkeypatch):
    with pytest.raises(CommandError, match="does not match"):
        _shutdown(monkeypatch, "Nghệ An")
    assert Person.objects.count() == 3


def test_shutdown_without_an_answer_deletes_nothing(province_data, monkeypatch):
    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.raises(CommandError):
        call_command("shutdown", stdout=StringIO())
    assert Person.objects.count() == 3


def test_scripts_confirm_with_an_explicit_flag(province_data, monkeypatch):
    _shutdown(monkeypatch, None, "--yes-delete-everything")
    assert not Person.objects.exists()


def test_tables_are_emptied_before_the_tables_they_point_at():
    order = [m._meta.label for m in personal_data_models()]
    assert order[-1] == "checkins.Person"
    assert order.index("tracing.Exposure") < order.index("tracing.Case")
    assert {"checkins.CheckIn", "checkins.Device", "notifications.Message"} <= set(order)
