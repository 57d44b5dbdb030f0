"""What an official typed in a list's search box: words of a name, a code, a record number or a
phone number. Each list decides which fields these match; this only reads the text once, the same
way everywhere."""

import re
from dataclasses import dataclass

from .identity import InvalidIdentity, normalize_phone

MAX_LENGTH = 100
PER_PAGE = 50  # rows per page of the console's lists


@dataclass(frozen=True)
class Search:
    text: str  # stripped, at most MAX_LENGTH characters ("" for no search)
    phone: str | None  # the text as a phone number (+84…), if it is one
    number: int | None  # the text as a record number: "12", "#12", "F0-12"

    def __bool__(self) -> bool:
        return bool(self.text)


def parse_search(raw: str | None) -> Search:
    text = " ".join((raw or "").split())[:MAX_LENGTH]
    try:
        phone = normalize_phone(text) if text else None
    except InvalidIdentity:
        phone = None
    found = re.fullmatch(r"(?:#|F0-?)?(\d{1,9})", text, re.IGNORECASE)
    return Search(text=text, phone=phone, number=int(found.group(1)) if found and phone is None else None)
