import pytest

pytestmark = pytest.mark.django_db


def test_the_login_page_is_in_vietnamese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_an_official_signs_in_and_out(client, commune_official):
    response = client.post(
        "/accounts/login/", {"username": "tram_a", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/api/v1/me").status_code == 401


def test_a_wrong_password_shows_an_error_and_does_not_sign_in(client, commune_official):
    response = client.post("/accounts/login/", {"username": "tram_a", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
