"""No map layer, figure or report carries personal data: every field of every answer is walked."""

from datetime import timedelta

import pypdfium2
import pytest

from qrtrace.dashboard import aggregates
from qrtrace.dashboard.layers import LAYERS
from qrtrace.dashboard.models import RestrictedArea
from qrtrace.people.models import Person
from tests.quarantine import figures_world

FORBIDDEN_KEYS = {
    "person",
    "person_id",
    "full_name",
    "phone",
    "citizen_id",
    "birth_year",
    "case",
    "case_id",
    "exposure",
    "source_person",
    "address",
    "contact_phone",
    "personal_code",
    "evidence",
}


def _personal_values() -> set[str]:
    values = set()
    for person in Person.objects.all():
        values.add(person.full_name)
        if person.phone:
            values |= {person.phone, "0" + person.phone.removeprefix("+84"), person.phone.removeprefix("+")}
    return values


def walk(value, path="$"):
    """Yield (path, key, scalar) for every field of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, None
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, None, value


def assert_no_personal_data(body, personal: set[str]) -> int:
    fields = 0
    for path, key, scalar in walk(body):
        fields += 1
        assert key not in FORBIDDEN_KEYS, f"{path}.{key}"
        if isinstance(scalar, str):
            assert not any(value in scalar for value in personal), f"{path}: {scalar}"
    return fields


@pytest.fixture
def areas(province):
    area = RestrictedArea.objects.create(name="Khu phố 3", reason="Ổ dịch tại chợ", starts_on=province.today)
    area.communes.set([province.venues[0].commune_id])
    # Quarantine orders of every fate, so its figures and the facilities layer are walked too.
    figures_world.build(province.today)
    aggregates.refresh(days=20, today=province.today)


ENDPOINTS = [
    *(f"/api/v1/map/layers/{name}" for name in LAYERS),
    "/api/v1/stats/daily",
    "/api/v1/stats/communes",
    "/api/v1/risk-levels",
    "/api/v1/public/summary",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_no_field_of_any_dashboard_answer_is_personal(client, province, areas, province_official, path):
    client.force_login(province_official)
    first = province.today - timedelta(days=20)
    response = client.get(path, {"from": first, "to": province.today})
    assert response.status_code == 200
    personal = _personal_values()
    assert len(personal) >= 30
    body = response.json()
    assert assert_no_personal_data(body, personal) > 3
    if path.endswith("/facilities"):
        assert len(body["features"]) == 3
    if path.endswith("/stats/daily"):
        assert any(day["extra"].get("in_quarantine_home") for day in body)


@pytest.mark.parametrize(
    "page", ["/dashboard/", "/dashboard/map", "/dashboard/restricted-areas", "/dashboard/reports"]
)
def test_no_dashboard_page_shows_a_person(client, province, areas, province_official, page):
    client.force_login(province_official)
    html = client.get(page).content.decode()
    assert not any(value in html for value in _personal_values())


def test_the_commune_page_and_the_report_show_no_person(client, province, areas, province_official):
    client.force_login(province_official)
    commune = province.venues[0].commune_id
    html = client.get(f"/dashboard/communes/{commune}/").content.decode()
    pdf = client.get(f"/api/v1/reports/daily/{province.today}.pdf").content
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    for value in _personal_values():
        assert value not in html and value not in text


def test_the_walker_would_catch_a_name_or_a_person_key():
    with pytest.raises(AssertionError):
        assert_no_personal_data(
            {"features": [{"properties": {"name": "Chợ — Nguyễn Văn An"}}]}, {"Nguyễn Văn An"}
        )
    with pytest.raises(AssertionError):
        assert_no_personal_data({"items": [{"person_id": 3}]}, set())
