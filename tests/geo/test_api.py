import pytest

pytestmark = pytest.mark.django_db


def test_communes_of_thanh_hoa_are_listed_without_authentication(client):
    response = client.get("/api/v1/geo/communes", {"province": 38})
    assert response.status_code == 200
    communes = response.json()
    assert len(communes) == 166
    assert {
        "code": 14797,
        "name": "Phường Hạc Thành",
        "division_type": "phường",
        "province_code": 38,
    } in communes


def test_an_unknown_province_is_a_404_with_a_message(client):
    response = client.get("/api/v1/geo/communes", {"province": 99})
    assert response.status_code == 404
    assert "99" in response.json()["detail"]


def test_a_non_numeric_province_is_a_422_not_a_500(client):
    response = client.get("/api/v1/geo/communes", {"province": "thanh-hoa"})
    assert response.status_code == 422
    assert response.json()["detail"]
