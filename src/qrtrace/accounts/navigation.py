"""The officials' console navigation: one list of sections, each app contributing its own.

accounts sits below the apps whose pages the bar links to, so it never imports them: each app
registers its sections when Django loads it (`register_section` in its `apps.py` `ready()`), and
says with a rule of `accounts.permissions` who sees them. The coming apps (quarantine, the map) add
their links the same way, with no change here or in the template.

A section's `links(user)` gives the links it shows that user (label, URL): usually one, several for
venue staff of several venues, none when the user may not use the section.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from .models import Role
from .selectors import user_memberships

Link = tuple[str, str]
Links = Callable[[object], Iterable[Link]]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    links: Links


_sections: dict[str, Section] = {}
_area_labels: dict[str, Callable[[str], str]] = {}


def register_section(key: str, *, order: int, links: Links) -> None:
    """Add (or replace) the section `key`; lower `order` shows first."""
    _sections[key] = Section(key=key, order=order, links=links)


def simple_section(label: str | Promise, url_name: str, rule: Callable[[object], bool]) -> Links:
    """The links of a section with one page, shown to users for whom `rule(user)` holds."""

    def links(user) -> list[Link]:
        return [(str(label), reverse(url_name))] if rule(user) else []

    return links


def register_area_label(role: str, label: Callable[[str], str]) -> None:
    """How the bar names an area of `role` given its code (venues name a venue by its name)."""
    _area_labels[role] = label


def console_links(user) -> list[Link]:
    """Every link the bar shows `user`, in section order."""
    found: list[Link] = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        found += list(section.links(user))
    return found


def console_roles(user) -> list[str]:
    """ "Role · area" for each of the user's memberships (the superuser: administrator)."""
    shown = []
    for membership in user_memberships(user):
        role = Role(membership.role).label
        if membership.role in _area_labels:
            area = _area_labels[membership.role](membership.area_code)
        elif membership.commune is not None:
            area = membership.commune.name
        elif membership.province is not None:
            area = membership.province.name
        else:
            area = membership.area_code
        shown.append(f"{role} · {area}")
    if not shown and user.is_superuser:
        shown.append(str(Role.ADMIN.label))
    return shown
