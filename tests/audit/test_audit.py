import pytest
from django.test import RequestFactory

from qrtrace.audit.models import AppendOnlyError, AuditEvent
from qrtrace.audit.selectors import audit_event_list
from qrtrace.audit.services import audit_event_create
from qrtrace.checkins.models import CheckIn
from tests import actors

pytestmark = pytest.mark.django_db


def test_an_event_records_who_what_which_record_why_when_and_from_where(commune_official):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    event = audit_event_create(
        actor=commune_official,
        action="read",
        object_type="case",
        object_id=17,
        purpose="case 17",
        request=request,
        person_ids=[5, 3, 5],
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_name, stored.action) == (commune_official, "tram_a", "read")
    assert (stored.object_type, stored.object_id, stored.purpose) == ("case", "17", "case 17")
    assert stored.ip == "203.0.113.7" and stored.at is not None
    assert sorted(stored.subjects.values_list("person_id", flat=True)) == [3, 5]


def test_a_person_can_find_every_event_that_touched_them(commune_official, province_official):
    audit_event_create(
        actor=commune_official, action="read", object_type="person", object_id=3, person_ids=[3]
    )
    audit_event_create(actor=province_official, action="export", object_type="case", person_ids=[3, 4])
    audit_event_create(actor=province_official, action="read", object_type="person", person_ids=[4])
    assert [e.actor_name for e in audit_event_list(person_id=3)] == ["cdc", "tram_a"]


def test_events_cannot_be_changed_or_deleted(commune_official):
    event = audit_event_create(actor=commune_official, action="read", object_type="person")
    event.purpose = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(purpose="x")
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


def test_an_anonymous_actor_is_recorded_without_a_user():
    from django.contrib.auth.models import AnonymousUser

    event = audit_event_create(actor=AnonymousUser(), action="read", object_type="person")
    assert event.actor is None and event.actor_name == ""


def test_the_database_itself_refuses_to_change_an_event(commune_official):
    from django.db import DatabaseError, transaction

    event = audit_event_create(actor=commune_official, action="read", object_type="person", person_ids=[1])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(purpose="rewritten")
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


@pytest.mark.postgres
def test_postgresql_refuses_to_delete_an_event(commune_official):
    from django.db import DatabaseError, transaction

    event = audit_event_create(actor=commune_official, action="read", object_type="person")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk)._raw_delete(using="default")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_subjects_can_come_from_a_query_copied_by_the_database_each_person_once(commune_official):
    venue, ann, binh = (
        actors.make_venue(),
        actors.make_person("An"),
        actors.make_person("Bình", "+84987654321"),
    )
    for person in (ann, binh, ann, ann):
        CheckIn.objects.create(venue=venue, person=person, entered_at=venue.created_at, method="api")
    visits = CheckIn.objects.filter(venue=venue).order_by("-entered_at").values_list("person_id", flat=True)
    event = audit_event_create(actor=commune_official, action="export", object_type="x", person_ids=visits)
    assert sorted(event.subjects.values_list("person_id", flat=True)) == sorted([ann.pk, binh.pk])
    assert [e.pk for e in audit_event_list(person_id=binh.pk)] == [event.pk]


def test_a_subject_query_of_more_than_one_column_is_refused(commune_official):
    with pytest.raises(ValueError, match="one column"):
        audit_event_create(
            actor=commune_official, action="export", object_type="x", person_ids=CheckIn.objects.all()
        )
