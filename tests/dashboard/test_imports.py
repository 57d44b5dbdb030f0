import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from qrtrace.dashboard.models import CommuneBoundary, CommuneProfile
from qrtrace.dashboard.services import PROFILE_COLUMNS, profiles_import

from .conftest import A, B

HEADER = ",".join(PROFILE_COLUMNS) + "\n"
GOOD = HEADER + f"{A},2026-11-01,25000,82.5,90,78,91,có\n{B},2026-11-01,41000,65,,70,,không\n"


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_population_and_coverage_are_imported_per_commune_and_date(province_official):
    result = profiles_import(data=GOOD.encode(), actor=province_official)
    assert result.saved == 2 and result.errors == []
    b = CommuneProfile.objects.get(commune_id=B)
    assert (b.population, b.over50_full_pct, b.treatment_ready) == (41000, None, False)
    again = profiles_import(data=GOOD.replace("25000", "26000").encode(), actor=province_official)
    assert again.saved == 2 and CommuneProfile.objects.get(commune_id=A).population == 26000


def test_a_file_with_any_bad_row_saves_nothing_and_lists_each_error_in_vietnamese(province_official):
    bad = HEADER + f"{A},2026-11-01,25000,120,,,,\n99999,2026-11-01,100,,,,,\n{B},01/11/2026,0,,,,,\n"
    result = profiles_import(data=bad.encode(), actor=province_official)
    assert CommuneProfile.objects.count() == 0
    assert len(result.errors) == 3
    assert result.errors[0].startswith("Dòng 2:") and "0 và 100" in result.errors[0]
    assert "99999" in result.errors[1]
    assert result.errors[2].startswith("Dòng 4:")


def test_a_file_without_the_columns_or_not_utf8_is_refused_in_words(province_official):
    with pytest.raises(ValidationError, match="population"):
        profiles_import(data=b"commune_code,as_of\n1,2026-01-01\n", actor=province_official)
    with pytest.raises(ValidationError, match="UTF-8"):
        profiles_import(data=b"commune_code,as_of,population\nX\xe3 \xd0\n", actor=province_official)


def test_the_import_command_and_page_use_the_same_rules(
    tmp_path, client, province_official, commune_official
):
    path = tmp_path / "population.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("dashboard", "import-population", str(path), stdout=out)
    assert "2" in out.getvalue() and CommuneProfile.objects.count() == 2
    path.write_text(HEADER + "1,x,y,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng 2"):
        call_command("dashboard", "import-population", str(path))
    client.force_login(province_official)
    with path.open("rb") as upload:
        response = client.post(reverse("dashboard:population"), {"file": upload})
    assert response.status_code == 400 and "Dòng 2" in response.content.decode()
    client.force_login(commune_official)
    assert client.get(reverse("dashboard:population")).status_code == 403


def test_boundaries_are_imported_and_unmatched_features_listed(tmp_path, db):
    features = [
        {
            "type": "Feature",
            "properties": {"code": str(A), "name": "Hạc Thành"},
            "geometry": square(105.77, 19.80),
        },
        {
            "type": "Feature",
            "properties": {"code": "17329", "name": "Anh Sơn"},
            "geometry": square(105.0, 19.0),
        },
        {
            "type": "Feature",
            "properties": {"code": str(B)},
            "geometry": {"type": "Point", "coordinates": [1, 2]},
        },
        {"type": "Feature", "properties": {}, "geometry": square(105.0, 19.0)},
    ]
    path = tmp_path / "communes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("geo", "import-boundaries", str(path), stdout=out, stderr=err)
    assert list(CommuneBoundary.objects.values_list("commune_id", flat=True)) == [A]
    listed = err.getvalue()
    assert "Anh Sơn" in listed and "17329" in listed and "#4" in listed and "#3" in listed
    assert "1 saved, 2 unmatched, 1 invalid" in out.getvalue()


def test_a_boundaries_file_that_is_not_geojson_is_refused(tmp_path, db):
    path = tmp_path / "bad.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON"):
        call_command("geo", "import-boundaries", str(path))
    with pytest.raises(CommandError):
        call_command("geo", "import-boundaries", str(tmp_path / "missing.geojson"))
