"""The guide "Hướng dẫn khai báo y tế bằng mã QR": its text, shared by the page and the A4 leaflet,
and the pictures `qrtrace guide-images` makes from the browser tests' screenshots."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    text: str
    picture: str = ""  # a file of static/public/guide/, made by `qrtrace guide-images`


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    steps: tuple[Step, ...]


# picture name → the browser test's screenshot it is made from (var/screenshots/<name>.png) and the
# part of it kept, from the top left, in CSS pixels: the phone's screen, or the gate's card.
PICTURES = {
    "scan-form.png": ("checkin-form-nojs", (390, 844)),
    "receipt.png": ("public-receipt-announcement", (390, 960)),
    "returning.png": ("returning-one-tap", (390, 700)),
    "self-check.png": ("public-self-check-warning", (390, 844)),
    "gate.png": ("gate-scanned", (800, 630)),
}
PICTURE_WIDTH = 300  # pixels: sharp on a phone, a few tens of KB each


SECTIONS = (
    Section(
        "citizens",
        _("For citizens"),
        (
            Step(
                _(
                    "Open the phone camera or Zalo and point it at the QR poster at the entrance; "
                    "tap the link."
                )
            ),
            Step(
                _(
                    "Fill in your name, phone and year of birth and answer the health questions; tap "
                    "“Check in”."
                ),
                "scan-form.png",
            ),
            Step(
                _(
                    "Show the confirmation screen to the gate staff. Announcements of the health "
                    "authorities for the area appear under it."
                ),
                "receipt.png",
            ),
            Step(_("Next time the phone remembers you: one tap to check in."), "returning.png"),
            Step(
                _(
                    "Check at any time whether a place you visited had a confirmed case, on the page "
                    "“Exposure self-check”."
                ),
                "self-check.png",
            ),
        ),
    ),
    Section(
        "venues",
        _("For venue managers"),
        (
            Step(_("Register the venue; after approval, print its A4 poster from the venue's page.")),
            Step(
                _(
                    "Hang the poster at every entrance, at eye level, out of rain and direct sun; "
                    "replace a torn one at once."
                )
            ),
            Step(
                _(
                    "A poster that does not scan: check it is the newest one (a rotated code stops "
                    "old posters after the grace days)."
                )
            ),
            Step(
                _(
                    "Gate staff open the gate scanner on a phone or tablet and scan visitors' "
                    "personal QR cards."
                ),
                "gate.png",
            ),
        ),
    ),
    Section(
        "helpers",
        _("For staff helping people without a smartphone"),
        (
            Step(
                _(
                    "At the gate scanner, type the visitor's name, phone and answers for them; a "
                    "child or elderly relative can be declared by a family member."
                )
            ),
            Step(
                _(
                    "Offer a printed personal QR card: the visitor shows it at the gate next time "
                    "and is checked in by a scan."
                )
            ),
            Step(
                _(
                    "Never write visitors' details on paper lists: everything goes into the system, "
                    "which guards it."
                )
            ),
        ),
    ),
)
