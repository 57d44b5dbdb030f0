import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_served_and_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "QRTrace API"
    assert "/api/v1/geo/communes" in schema["paths"]
    assert "/api/v1/me" in schema["paths"]


def test_the_interactive_docs_are_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()


def test_an_unknown_api_path_is_a_404(client):
    assert client.get("/api/v1/no-such-thing").status_code == 404


def test_home_page_explains_each_kind_of_user_in_vietnamese(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    for words in ["Người dân", "Trạm Y tế", "Đăng nhập"]:
        assert words in body
    assert 'href="/accounts/login/"' in body and 'href="/api/v1/docs"' in body


def test_home_page_switches_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "What you can do" in client.get("/").content.decode()


def test_healthz_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_home_page_links_businesses_to_registration_and_officials_to_their_venues(client, commune_official):
    assert 'href="/venues/register"' in client.get("/").content.decode()
    assert 'href="/my-data"' in client.get("/").content.decode()
    client.force_login(commune_official)
    assert 'href="/venues/"' in client.get("/").content.decode()


def test_home_page_links_area_officials_to_the_tracing_console(client, commune_official):
    assert 'href="/tracing/"' not in client.get("/").content.decode()
    client.force_login(commune_official)
    assert 'href="/tracing/"' in client.get("/").content.decode()


def test_a_body_that_is_not_json_gets_a_400_in_vietnamese(client, province_official):
    client.force_login(province_official)
    response = client.post("/api/v1/venues", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Không đọc được nội dung yêu cầu: hãy gửi JSON hợp lệ."}
