"""20 placements at the same moment into a facility with 3 free beds: 3 succeed, 17 are told the
facility is full, no bed holds two people. On the suite's engine (SQLite file, or PostgreSQL with
DATABASE_URL=postgres://…), in a database of its own with 20 threads of one process, each with its
own connection."""

import json

import pytest

from tests.servers import LiveDatabase

PLACEMENTS = 20
FREE = 3

_SCRIPT = """
import json, threading
from django.db import connection
from qrtrace.accounts.services import official_upsert
from qrtrace.quarantine.models import Facility
from qrtrace.quarantine.services import beds_add, order_create
from django.contrib.auth import get_user_model
from tests.actors import make_person
from django.core.exceptions import ValidationError

admin = get_user_model().objects.create_superuser("root", password="x")
official = official_upsert(username="tram", role="commune", area_code="14797")
facility = Facility.objects.create(code="KCL-RACE", name="Khu cách ly", commune_id=14797, address="1",
                                   managing_unit="BQL")
beds_add(actor=admin, facility=facility, room_label="P1", beds=%(free)d)
people = [make_person(f"Người {i}", f"+849130{i:05d}", commune_id=14797) for i in range(%(n)d)]
barrier = threading.Barrier(%(n)d)
results = []

def place(person):
    barrier.wait()
    try:
        order_create(actor=official, person=person, reason="f1", vaccination="none", kind="facility",
                     facility=Facility.objects.get(pk=facility.pk))
        results.append("placed")
    except ValidationError as error:
        said = " ".join(error.messages)
        results.append("full" if "free bed" in said or "giường" in said else repr(error))
    except Exception as error:
        results.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=place, args=(p,)) for p in people]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(sorted(results)))
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    database = LiveDatabase(tmp_path_factory.mktemp("placement"))
    yield database
    database.drop()


def test_twenty_placements_at_once_into_the_last_three_beds_never_overfill(live):
    out = live.shell(_SCRIPT % {"free": FREE, "n": PLACEMENTS}, QRTRACE_LANGUAGE="en")
    results = json.loads(out.strip().splitlines()[-1])
    assert results.count("placed") == FREE
    assert results.count("full") == PLACEMENTS - FREE, results
    rows = live.sql(
        "SELECT bed_id, COUNT(*) FROM quarantine_quarantineorder"
        " WHERE status IN ('ordered', 'in_quarantine') GROUP BY bed_id"
    )
    assert len(rows) == FREE and all(count == 1 for _bed, count in rows)
