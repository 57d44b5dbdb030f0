import pytest

pytestmark = pytest.mark.django_db


def test_a_phone_set_to_english_still_gets_the_vietnamese_page(client):
    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Người dân" in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_the_language_switch_is_what_turns_pages_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "What you can do" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Người dân" in client.get("/", headers={"Accept-Language": "en"}).content.decode()


def test_the_api_answers_in_the_language_its_client_asks_for(client):
    english = client.get("/api/v1/geo/communes", {"province": 99}, headers={"Accept-Language": "en"})
    default = client.get("/api/v1/geo/communes", {"province": 99})
    assert english.json() == {"detail": "There is no province with code 99."}
    assert default.json() == {"detail": "Không có tỉnh nào có mã 99."}
