import pytest

from qrtrace.audit.models import AuditEvent
from qrtrace.tracing.models import Case, Exposure
from tests import actors

from .reference import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    """A case in commune A with contacts in A and B, and a case in commune B."""
    in_a = actors.make_person("Ca A", "+84912000001", commune_id=actors.COMMUNE_A)
    in_b = actors.make_person("Ca B", "+84912000002", commune_id=actors.COMMUNE_B)
    contact_a = actors.make_person("Tiếp xúc A", "+84912000003", commune_id=actors.COMMUNE_A)
    contact_b = actors.make_person("Tiếp xúc B", "+84912000004", commune_id=actors.COMMUNE_B)
    case_a = Case.objects.create(person=in_a, confirmed_at=T0)
    case_b = Case.objects.create(person=in_b, confirmed_at=T0)
    for contact in (contact_a, contact_b):
        Exposure.objects.create(case=case_a, person=contact, level="F1", source_person=in_a)
    return case_a, case_b


def _exposure_phones(client, headers, case):
    response = client.get(f"/api/v1/cases/{case.pk}/exposures", headers=headers)
    return response.status_code, {i["person"]["phone"] for i in response.json().get("items", [])}


def test_a_commune_official_sees_the_cases_of_their_commune_only(client, commune_official, cases, bearer):
    case_a, case_b = cases
    headers = bearer(commune_official)
    assert client.get(f"/api/v1/cases/{case_a.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cases/{case_b.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/cases/{case_b.pk}/trace", headers=headers).status_code == 404


def test_a_commune_official_sees_only_the_exposed_people_of_their_commune(
    client, commune_official, cases, bearer
):
    case_a, _case_b = cases
    assert _exposure_phones(client, bearer(commune_official), case_a) == (200, {"+84912000003"})


def test_the_other_commune_sees_its_own_resident_exposed_by_a_case_elsewhere(
    client, other_commune_official, cases, bearer
):
    case_a, _case_b = cases
    assert _exposure_phones(client, bearer(other_commune_official), case_a) == (200, {"+84912000004"})


def test_the_province_office_sees_every_case_and_exposure(client, province_official, cases, bearer):
    case_a, case_b = cases
    headers = bearer(province_official)
    assert client.get(f"/api/v1/cases/{case_b.pk}", headers=headers).status_code == 200
    assert _exposure_phones(client, headers, case_a) == (200, {"+84912000003", "+84912000004"})


def test_every_exposure_list_read_leaves_an_audit_event_naming_the_case_and_the_people(
    client, commune_official, cases, bearer
):
    case_a, _case_b = cases
    _exposure_phones(client, bearer(commune_official), case_a)
    event = AuditEvent.objects.get(action="read_exposures")
    assert (event.object_type, event.object_id, event.actor) == ("case", str(case_a.pk), commune_official)
    exposed = Exposure.objects.get(case=case_a, person__commune_id=actors.COMMUNE_A)
    assert list(event.subjects.values_list("person_id", flat=True)) == [exposed.person_id]


def test_an_exposure_list_of_an_unknown_case_is_a_404(client, province_official, bearer):
    assert client.get("/api/v1/cases/999999/exposures", headers=bearer(province_official)).status_code == 404


def test_without_a_token_the_case_api_is_a_401(client, cases):
    assert client.get(f"/api/v1/cases/{cases[0].pk}/exposures").status_code == 401


@pytest.mark.parametrize("suffix", ["", "/exposures", "/timeline", "/trace"])
def test_a_case_out_of_reach_answers_exactly_as_a_missing_one(
    client, commune_official, cases, bearer, suffix
):
    _case_a, case_b = cases  # case B lives in commune B and exposed nobody in commune A
    headers = bearer(commune_official)
    call = client.post if suffix == "/trace" else client.get
    out_of_reach = call(f"/api/v1/cases/{case_b.pk}{suffix}", headers=headers)
    missing = call(f"/api/v1/cases/{case_b.pk + 1000}{suffix}", headers=headers)
    assert (out_of_reach.status_code, out_of_reach.json()) == (404, missing.json())
    assert missing.status_code == 404
    assert not AuditEvent.objects.filter(object_id=str(case_b.pk)).exists()


@pytest.mark.parametrize("query", [f"offset={2**63}", "offset=1000000001", "limit=1001", "level=F3"])
def test_an_exposure_page_past_its_bounds_is_a_422(client, province_official, cases, bearer, query):
    response = client.get(f"/api/v1/cases/{cases[0].pk}/exposures?{query}", headers=bearer(province_official))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_a_case_id_past_64_bits_is_a_422(client, province_official, bearer):
    assert client.get(f"/api/v1/cases/{2**70}", headers=bearer(province_official)).status_code == 422
