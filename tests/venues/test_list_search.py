"""The venue list: searched by name, address, code or contact phone, and cut into pages (a province
saw 201 venues on one page)."""

import pytest
from django.urls import reverse

from tests import actors

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [venue.name for venue in response.context["venues"]]


def test_venues_are_found_by_name_code_or_phone(client, commune_official):
    market = actors.make_venue("Chợ Vườn Hoa", contact_phone="+84912345678")
    actors.make_venue("Nhà sách Tiền Phong")
    client.force_login(commune_official)
    url = reverse("venues:list")
    assert _names(client.get(url, {"q": "vườn"})) == ["Chợ Vườn Hoa"]
    assert _names(client.get(url, {"q": market.code.lower()})) == ["Chợ Vườn Hoa"]
    assert _names(client.get(url, {"q": "0912 345 678"})) == ["Chợ Vườn Hoa"]
    assert sorted(_names(client.get(url))) == ["Chợ Vườn Hoa", "Nhà sách Tiền Phong"]


def test_a_search_never_reaches_venues_outside_the_area(client, commune_official):
    actors.make_venue("Chợ Quảng Phú", actors.COMMUNE_B)
    client.force_login(commune_official)
    assert _names(client.get(reverse("venues:list"), {"q": "Chợ"})) == []


def test_a_long_list_comes_in_pages_that_keep_the_search(client, province_official):
    for i in range(120):
        actors.make_venue(f"Quán {i:03d}", code=f"Q{i:06d}")
    client.force_login(province_official)
    first = client.get(reverse("venues:list"), {"q": "Quán"})
    assert len(first.context["venues"]) == 50
    page = first.content.decode()
    assert "120 địa điểm" in page and "Trang 1 / 3" in page and "q=Qu%C3%A1n&amp;page=2" in page
    last = client.get(reverse("venues:list"), {"q": "Quán", "page": 3})
    assert len(last.context["venues"]) == 20
    assert client.get(reverse("venues:list"), {"page": "x' or 1=1"}).status_code == 200
