"""Error pages are the site's own: Vietnamese, in the layout, with the reason and a way back."""

import pytest
from django.test import Client

from tests import actors

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return response.content.decode()


def _in_layout(html: str) -> bool:
    return '<header class="site">' in html and 'href="/"' in html


def test_an_unknown_address_is_a_vietnamese_404_in_the_layout(client):
    response = client.get("/no-such-page")
    html = _page(response)
    assert response.status_code == 404
    assert _in_layout(html)
    assert "Không tìm thấy trang" in html
    assert "Về trang chủ" in html


def test_a_404_from_our_code_shows_its_reason(client, commune_official):
    client.force_login(commune_official)
    html = _page(client.get("/tracing/cases/999999/"))
    assert "Không có ca bệnh này trong địa bàn của bạn" in html


def test_a_403_shows_the_reason_the_code_gave(client):
    staff = actors.make_official("gate", "venue", actors.make_venue().code)
    client.force_login(staff)
    response = client.get("/tracing/")
    html = _page(response)
    assert response.status_code == 403
    assert _in_layout(html)
    assert "Bạn không được mở trang này" in html
    assert "Chỉ cán bộ y tế xã, phường và tỉnh" in html  # require_tracer's message, translated


def test_too_many_form_fields_is_the_sites_400_page_not_djangos_bare_english(client):
    fields = {f"f{n}": "x" for n in range(1001)}
    response = client.post("/accounts/login/", fields)
    html = _page(response)
    assert response.status_code == 400
    assert "Bad Request (400)" not in html
    assert _in_layout(html)
    assert "Không đọc được yêu cầu" in html


def test_a_form_without_its_csrf_token_says_it_expired_in_vietnamese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = _page(response)
    assert response.status_code == 403
    assert "CSRF verification failed" not in html
    assert "Biểu mẫu này đã hết hạn" in html


def test_a_server_error_is_a_vietnamese_page_that_admits_it(client, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    client.raise_request_exception = False
    response = client.get("/test-broken")
    html = _page(response)
    assert response.status_code == 500
    assert _in_layout(html)
    assert "Đã có lỗi ở phía chúng tôi" in html
    assert "a bug" not in html  # no traceback or message of the bug to the visitor


def test_the_back_button_only_points_to_this_site(client):
    ours = _page(client.get("/no-such-page", headers={"referer": "http://testserver/venues/"}))
    theirs = _page(client.get("/no-such-page", headers={"referer": "https://evil.example/"}))
    assert 'href="http://testserver/venues/"' in ours
    assert "evil.example" not in theirs


def test_every_page_carries_the_favicon(client):
    assert 'rel="icon"' in _page(client.get("/"))
