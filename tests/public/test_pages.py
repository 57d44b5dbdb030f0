import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from qrtrace.dashboard import aggregates
from qrtrace.public.selectors import announcements_cache_clear
from qrtrace.public.services import announcement_create
from qrtrace.public.views import PAGE_ALERTS, PAGE_ANNOUNCEMENTS
from qrtrace.tracing.models import AlertStatus, Case, VenueAlert
from tests import actors

pytestmark = pytest.mark.django_db


def _published_alert(venue, start, end):
    phone = f"+8490{Case.objects.count():07d}"
    case = Case.objects.create(person=actors.make_person(phone=phone), confirmed_at=end)
    return VenueAlert.objects.create(
        case=case, venue=venue, starts_at=start, ends_at=end, status=AlertStatus.PUBLISHED, published_at=end
    )


def _stylesheets(html: str) -> int:
    return sum(
        Path(finders.find(href.removeprefix("/static/"))).stat().st_size
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    )


def test_the_public_page_in_a_bad_week_weighs_under_50_kb_with_its_css_and_links_to_the_rest(
    client, province_official
):
    for n in range(25):
        announcement_create(
            actor=province_official,
            title=f"Thông báo số {n} về lịch tiêm",
            body="Nội dung " * 60,
            communes=[],
        )
    now = timezone.now()
    for n in range(50):
        _published_alert(
            actors.make_venue(f"Quán số {n:02d}"), now - timedelta(hours=3), now - timedelta(hours=2)
        )
    response = client.get("/public/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card announcement') == PAGE_ANNOUNCEMENTS
    assert html.count("Quán số") == PAGE_ALERTS
    assert "Đọc tiếp" in html  # bodies of 540 characters are cut short, with a link to the whole
    assert f"Xem thêm {25 - PAGE_ANNOUNCEMENTS} thông báo" in html
    assert f"Xem thêm {50 - PAGE_ALERTS} nơi" in html
    weight = len(response.content) + _stylesheets(html)
    assert weight < 50 * 1024, weight

    everything = client.get("/public/announcements/").content.decode()
    assert everything.count('class="card announcement') == 25 and "Nội dung" not in everything
    places = client.get("/public/alerts").content.decode()
    assert places.count("Quán số") == 50
    for page in (everything, places):
        assert len(page) + _stylesheets(page) < 50 * 1024


def test_the_figures_are_in_the_html_itself_with_no_script(client):
    html = client.get("/public/").content.decode()
    assert "<script" not in html
    assert 'id="figures"' in html and "<dd>" in html


def test_the_public_page_is_vietnamese_and_english_on_request(client):
    assert "Tình hình dịch" in client.get("/public/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Epidemic situation" in client.get("/public/").content.decode()


def test_small_daily_case_counts_are_shown_masked_and_a_larger_total_is_not(client):
    now = timezone.now()
    for n in range(3):
        person = actors.make_person(phone=f"+8491100000{n}", commune_id=actors.COMMUNE_A)
        Case.objects.create(person=person, confirmed_at=now)
    aggregates.refresh(days=7)  # the public figures are the dashboard's daily aggregates
    html = client.get("/public/").content.decode()
    assert "<td>&lt; 5</td>" in html
    assert "<dd>&lt; 5</dd>" in html
    for n in range(3, 7):
        person = actors.make_person(phone=f"+8491100000{n}", commune_id=actors.COMMUNE_A)
        Case.objects.create(person=person, confirmed_at=now)
    aggregates.refresh(days=7)
    announcements_cache_clear()  # the page is kept for CACHE_SECONDS: as it is half a minute later
    assert "<dd>7</dd>" in client.get("/public/").content.decode()


def test_the_embed_sets_no_cookie_and_may_be_framed_by_any_site_unlike_other_pages(client):
    embed = client.get("/public/embed")
    assert embed.status_code == 200
    assert embed.cookies == {} and "Set-Cookie" not in embed.headers
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert 'id="figures"' in embed.content.decode() and "/public/guide" in embed.content.decode()
    page = client.get("/public/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_embed_speaks_english_when_the_agency_asks(client):
    assert "Epidemic situation" in client.get("/public/embed?lang=en").content.decode()


def test_the_guide_has_its_pictures_and_a_leaflet_pdf(client):
    html = client.get("/public/guide").content.decode()
    pictures = re.findall(r'<img src="/static/(public/guide/[^"]+)"', html)
    assert len(pictures) >= 4
    assert all(finders.find(p) for p in pictures)
    leaflet = client.get("/public/guide/leaflet.pdf")
    assert leaflet["Content-Type"] == "application/pdf" and leaflet.content.startswith(b"%PDF")


def test_the_leaflet_is_one_a4_page_with_the_guide_text(client):
    import pypdfium2

    document = pypdfium2.PdfDocument(client.get("/public/guide/leaflet.pdf").content)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(document[0].get_textpage().get_text_range().split())
    assert "Hướng dẫn khai báo y tế bằng mã QR" in text
    assert "Cho người quản lý địa điểm" in text


def test_an_announcement_page_shows_it_while_in_force_and_is_404_after(client, province_official):
    item = announcement_create(actor=province_official, title="Lịch tiêm", body="…", communes=[])
    assert client.get(f"/public/announcements/{item.pk}").status_code == 200
    type(item).objects.filter(pk=item.pk).update(withdrawn_at=timezone.now())
    announcements_cache_clear()
    assert client.get(f"/public/announcements/{item.pk}").status_code == 404


def test_the_page_is_kept_briefly_but_an_announcement_written_here_shows_at_once(client, province_official):
    first = client.get("/public/").content.decode()
    _published_alert(actors.make_venue("Quán mới"), timezone.now() - timedelta(hours=2), timezone.now())
    assert client.get("/public/").content.decode().count("Quán mới") == first.count("Quán mới") == 0
    announcement_create(actor=province_official, title="Viết lúc này", body="…", communes=[])
    page = client.get("/public/").content.decode()
    assert "Viết lúc này" in page and "Quán mới" in page  # the write dropped the copy kept


def test_an_announcement_waiting_to_be_published_appears_at_its_time_though_the_page_was_kept(
    client, province_official, monkeypatch
):
    start = timezone.now() + timedelta(seconds=5)
    announcement_create(actor=province_official, title="Đúng giờ", body="…", communes=[], publish_at=start)
    assert "Đúng giờ" not in client.get("/public/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=1))
    assert "Đúng giờ" in client.get("/public/").content.decode()
