"""Fixtures of the "my data" pages: the SMS the worker delivers, and a family seen at a market."""

import json

import pytest
from django.utils import timezone

from qrtrace.checkins.models import CheckIn, CheckInMethod
from qrtrace.notifications.services import messages_deliver
from tests import actors

PHONE = "+84912345678"


@pytest.fixture
def sms(settings, tmp_path):
    """The file notification backend: every SMS the worker delivers, as (to, body) pairs."""
    settings.QRTRACE_NOTIFY_BACKEND = "file"
    settings.QRTRACE_NOTIFY_FILE = tmp_path / "sms.jsonl"

    def delivered() -> list[tuple[str, str]]:
        messages_deliver()
        if not settings.QRTRACE_NOTIFY_FILE.exists():
            return []
        lines = settings.QRTRACE_NOTIFY_FILE.read_text(encoding="utf-8").splitlines()
        return [(line["to"], line["body"]) for line in map(json.loads, lines)]

    return delivered


@pytest.fixture
def family(db):
    """A mother who checks in with her phone and her son who has none, both seen at a market."""
    mother = actors.make_person("Nguyễn Thị Mai", PHONE)
    son = actors.make_person("Lê Văn Bình", None, guardian=mother)
    market = actors.make_venue("Chợ Vườn Hoa")
    for someone in (mother, son):
        CheckIn.objects.create(
            venue=market, person=someone, entered_at=timezone.now(), method=CheckInMethod.SELF_SCAN
        )
    return mother, son, market
