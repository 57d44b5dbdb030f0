import pytest

from qrtrace.accounts.models import Membership
from qrtrace.geo.jurisdiction import EVERYWHERE, NOWHERE, Jurisdiction
from qrtrace.geo.models import Commune, Province
from qrtrace.geo.services import geo_sync
from tests.actors import COMMUNE_A, COMMUNE_B, OTHER_PROVINCE_COMMUNE, PROVINCE, make_official

pytestmark = pytest.mark.django_db


def test_migrate_loads_all_34_provinces_and_thanh_hoas_166_communes():
    assert Province.objects.count() == 34
    assert Province.objects.get(code=PROVINCE).name == "Thanh Hóa"
    assert Commune.objects.filter(province_id=PROVINCE).count() == 166


def test_sync_is_idempotent_and_repairs_a_changed_name():
    assert geo_sync() == (0, 0)
    Commune.objects.filter(code=COMMUNE_A).update(name="typo")
    assert geo_sync() == (0, 1)
    assert Commune.objects.get(code=COMMUNE_A).name == "Phường Hạc Thành"


def test_a_province_jurisdiction_covers_its_communes_only():
    j = Jurisdiction(provinces=frozenset({PROVINCE}))
    assert j.covers_commune(COMMUNE_A) and j.covers_commune(COMMUNE_B)
    assert not j.covers_commune(OTHER_PROVINCE_COMMUNE)


def test_a_commune_jurisdiction_covers_that_commune_only():
    j = Jurisdiction(communes=frozenset({COMMUNE_A}))
    assert j.covers_commune(COMMUNE_A)
    assert not j.covers_commune(COMMUNE_B)


def test_area_filters_keep_rows_of_the_jurisdiction_only():
    for name, commune in [("a", COMMUNE_A), ("b", COMMUNE_B), ("nghe_an", OTHER_PROVINCE_COMMUNE)]:
        make_official(name, "commune", commune)
    by_province = Jurisdiction(provinces=frozenset({PROVINCE}))
    by_commune = Jurisdiction(communes=frozenset({COMMUNE_A}))

    def users(j):
        return sorted(Membership.objects.filter(j.area_q()).values_list("user__username", flat=True))

    assert users(by_province) == ["a", "b"]
    assert users(by_commune) == ["a"]
    assert users(EVERYWHERE) == ["a", "b", "nghe_an"]
    assert users(NOWHERE) == []


def test_a_venue_jurisdiction_covers_its_venue_but_no_commune():
    j = Jurisdiction(venues=frozenset({"ABC1234"}))
    assert j.covers_venue(venue_code="ABC1234", commune_code=COMMUNE_A)
    assert not j.covers_venue(venue_code="XYZ9876", commune_code=COMMUNE_A)
    assert not j.covers_commune(COMMUNE_A)
    assert not j.covers_areas


def test_nowhere_covers_nothing_and_everywhere_covers_everything():
    assert not NOWHERE.covers_areas and not NOWHERE.covers_commune(COMMUNE_A)
    assert not NOWHERE.covers_venue(venue_code="XYZ9876", commune_code=COMMUNE_A)
    assert EVERYWHERE.covers_commune(OTHER_PROVINCE_COMMUNE)
    assert not NOWHERE.covers_commune(None)
