"""The transmission chain on the case page: its venue labels sit on no other label and on no person."""

import re
from datetime import timedelta

import pytest

from qrtrace.tracing.models import Case
from qrtrace.tracing.services import case_trace
from tests import actors

from .conftest import visit
from .reference import T0

pytestmark = pytest.mark.django_db

FONT = 10  # px, .chain .venue
CHAR = 6  # px, a generous average width of a character at that size


LABEL = re.compile(
    r'<text class="venue" x="(-?\d+)" y="(-?\d+)"( text-anchor="middle")?>'
    r"(?:<title>[^<]*</title>)?([^<]*)</text>"
)
NODE = re.compile(r'<rect class="(F\d)" x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)"')


def _boxes(html: str) -> list[tuple[float, float, float, float, str]]:
    boxes = [
        (float(x), float(y), float(x) + float(w), float(y) + float(h), f"node {level}")
        for level, x, y, w, h in NODE.findall(html)
    ]
    for x, y, anchor, text in LABEL.findall(html):
        width = len(text) * CHAR
        left = float(x) - (width / 2 if anchor else 0)
        boxes.append((left, float(y) - FONT, left + width, float(y), text))
    return boxes


def test_no_two_venue_labels_of_the_chain_overlap(client, commune_official):
    # Two F1 met the case at two places; each then met the same three F2 at a third: three lines end
    # at each F2, and the F1 fan out to them.
    market, clinic, shop = (
        actors.make_venue("Chợ Vườn Hoa"),
        actors.make_venue("Phòng khám Hạc Thành", kind="hospital"),
        actors.make_venue("Trung tâm Thương mại Vincom Thanh Hóa", kind="shop"),
    )
    f0 = actors.make_person("Ca bệnh", "+84912000001", commune_id=actors.COMMUNE_A)
    f1 = [actors.make_person(f"F1 {i}", f"+8491200001{i}", commune_id=actors.COMMUNE_A) for i in range(2)]
    f2 = [actors.make_person(f"F2 {i}", f"+8491200002{i}", commune_id=actors.COMMUNE_A) for i in range(3)]
    visit(f0, market, 20)
    visit(f1[0], market, 20.5)
    visit(f0, clinic, 22)
    visit(f1[1], clinic, 22.2)
    for person in f1:
        visit(person, shop, 30)
    for person in f2:
        visit(person, shop, 30.2)
    case = Case.objects.create(person=f0, confirmed_at=T0 + timedelta(hours=40))
    case_trace(case=case, actor=None)
    client.force_login(commune_official)
    boxes = _boxes(client.get(f"/tracing/cases/{case.pk}/").content.decode())
    assert len([box for box in boxes if not box[4].startswith("node")]) >= 5
    overlapping = [
        (a[4], b[4])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert overlapping == [], boxes
