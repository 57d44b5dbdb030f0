from datetime import timedelta

import feedparser
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qrtrace.audit.models import AuditEvent
from qrtrace.checkins.models import CheckIn
from qrtrace.checkins.views import receipt
from qrtrace.public.models import Priority
from qrtrace.public.services import announcement_create, announcement_update
from tests import actors

pytestmark = pytest.mark.django_db


def _receipt_page(client, venue):
    person = actors.make_person(phone=f"+849{CheckIn.objects.count() + 10000000:08d}")
    checkin = CheckIn.objects.create(
        venue=venue, person=person, entered_at=timezone.now(), method="self_scan"
    )
    return client.get(f"/c/{receipt([checkin])}").content.decode()


def test_a_province_announcement_for_commune_a_shows_on_receipts_there_and_not_in_commune_b(
    client, province_official
):
    announcement_create(
        actor=province_official,
        title="Xét nghiệm miễn phí",
        body="Tại nhà văn hoá, xem https://syt.thanhhoa.gov.vn/xn",
        communes=[actors.COMMUNE_A],
    )
    inside = _receipt_page(client, actors.make_venue("Chợ A", actors.COMMUNE_A))
    outside = _receipt_page(client, actors.make_venue("Chợ B", actors.COMMUNE_B))
    assert "Xét nghiệm miễn phí" in inside
    assert '<a href="https://syt.thanhhoa.gov.vn/xn" rel="nofollow">' in inside
    assert "Xét nghiệm miễn phí" not in outside


def test_a_province_wide_announcement_reaches_every_commune_and_ends_at_its_expiry(
    client, province_official, monkeypatch
):
    now = timezone.now()
    announcement_create(
        actor=province_official,
        title="Tiêm vắc xin ngày 5/12",
        body="Mang CCCD.",
        communes=[],
        expires_at=now + timedelta(hours=1),
    )
    venue = actors.make_venue("Chợ B", actors.COMMUNE_B)
    assert "Tiêm vắc xin ngày 5/12" in _receipt_page(client, venue)
    # An hour later, with no write in between: the copy kept in memory is filtered by the clock.
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=1, seconds=1))
    assert "Tiêm vắc xin ngày 5/12" not in _receipt_page(client, venue)
    assert "Tiêm vắc xin ngày 5/12" not in client.get("/public/").content.decode()


def test_the_body_is_escaped_markup_never_runs(client, province_official):
    announcement_create(
        actor=province_official, title="<b>x</b>", body="<script>alert(1)</script>", communes=[]
    )
    page = client.get("/public/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_a_commune_station_announces_for_its_commune_only(commune_official):
    announcement_create(actor=commune_official, title="Phường A", body="…", communes=[actors.COMMUNE_A])
    with pytest.raises(PermissionDenied):
        announcement_create(actor=commune_official, title="Cả tỉnh", body="…", communes=[])
    with pytest.raises(PermissionDenied):
        announcement_create(actor=commune_official, title="Phường B", body="…", communes=[actors.COMMUNE_B])


def test_communes_of_another_province_and_an_expiry_before_publication_are_refused(province_official):
    with pytest.raises(ValidationError):
        announcement_create(
            actor=province_official, title="x", body="y", communes=[actors.OTHER_PROVINCE_COMMUNE]
        )
    now = timezone.now()
    with pytest.raises(ValidationError):
        announcement_create(
            actor=province_official,
            title="x",
            body="y",
            communes=[],
            publish_at=now,
            expires_at=now - timedelta(hours=1),
        )


def test_writing_and_withdrawing_are_audited_and_a_withdrawn_one_leaves_the_public_page(
    client, province_official
):
    item = announcement_create(actor=province_official, title="Phong toả thôn 3", body="…", communes=[])
    assert "Phong toả thôn 3" in client.get("/public/").content.decode()
    announcement_update(
        announcement=item,
        actor=province_official,
        title=item.title,
        body=item.body,
        communes=[],
        priority=Priority.URGENT,
        publish_at=item.publish_at,
        expires_at=None,
        withdrawn=True,
    )
    assert "Phong toả thôn 3" not in client.get("/public/").content.decode()
    actions = list(AuditEvent.objects.filter(object_type="announcement").values_list("action", flat=True))
    assert actions == ["announcement_create", "announcement_withdraw"]


def test_an_announcement_published_later_is_not_shown_yet(client, province_official):
    announcement_create(
        actor=province_official,
        title="Ngày mai",
        body="…",
        communes=[],
        publish_at=timezone.now() + timedelta(days=1),
    )
    assert "Ngày mai" not in client.get("/public/").content.decode()


def test_the_atom_feeds_of_the_province_and_of_a_commune_parse_and_hold_their_area(client, province_official):
    announcement_create(actor=province_official, title="Toàn tỉnh", body="Cả tỉnh https://a.vn", communes=[])
    announcement_create(actor=province_official, title="Chỉ phường A", body="…", communes=[actors.COMMUNE_A])
    province = feedparser.parse(client.get("/public/feed.atom").content)
    commune_a = feedparser.parse(client.get(f"/public/feed/{actors.COMMUNE_A}.atom").content)
    commune_b = feedparser.parse(client.get(f"/public/feed/{actors.COMMUNE_B}.atom").content)
    assert not province.bozo and province.version == "atom10"
    assert [e.title for e in province.entries] == ["Toàn tỉnh"]
    assert sorted(e.title for e in commune_a.entries) == ["Chỉ phường A", "Toàn tỉnh"]
    assert [e.title for e in commune_b.entries] == ["Toàn tỉnh"]
    assert province.entries[0].link.endswith(
        "/public/announcements/" + province.entries[0].id.rsplit("-", 1)[1]
    )


def test_a_feed_of_a_commune_outside_the_province_is_404(client):
    assert client.get(f"/public/feed/{actors.OTHER_PROVINCE_COMMUNE}.atom").status_code == 404


def test_a_receipt_reads_no_announcement_table_once_this_process_holds_them(client, province_official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    announcement_create(actor=province_official, title="Toàn tỉnh", body="…", communes=[])
    venue = actors.make_venue("Chợ A", actors.COMMUNE_A)
    assert "Toàn tỉnh" in _receipt_page(client, venue)  # the first one loads them
    person = actors.make_person(phone="+84911111111")
    checkin = CheckIn.objects.create(
        venue=venue, person=person, entered_at=timezone.now(), method="self_scan"
    )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/c/{receipt([checkin])}").content.decode()
    assert "Toàn tỉnh" in page
    assert not [q["sql"] for q in queries if "public_" in q["sql"] or "geo_" in q["sql"]]


def test_the_receipts_announcement_block_is_rendered_once_per_content_and_again_after_a_change(
    client, province_official, monkeypatch
):
    from django.template import loader

    from qrtrace.checkins import views

    rendered = []
    real = loader.render_to_string

    def counting(name, *args, **kwargs):
        rendered.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", counting)
    views._ANNOUNCEMENT_BLOCKS.clear()
    item = announcement_create(actor=province_official, title="Lần đầu", body="…", communes=[])
    venue = actors.make_venue("Chợ A", actors.COMMUNE_A)
    pages = [_receipt_page(client, venue) for _ in range(3)]
    assert all("Lần đầu" in page for page in pages)
    assert rendered.count("checkins/_announcements.html") == 1
    announcement_update(
        announcement=item,
        actor=province_official,
        title="Đã sửa",
        body="…",
        communes=[],
        priority=Priority.NORMAL,
        publish_at=item.publish_at,
        expires_at=None,
    )
    assert "Đã sửa" in _receipt_page(client, venue) and "Lần đầu" not in _receipt_page(client, venue)
    assert rendered.count("checkins/_announcements.html") == 2
