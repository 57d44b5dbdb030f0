from functools import cache

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.selectors import commune_list
from qrtrace.lib.identity import InvalidIdentity, normalize_citizen_id, normalize_phone, parse_birth_year
from qrtrace.lib.widgets import PlainSelect
from qrtrace.people.identity import Identity

from .declaration import FIELDS
from .models import Risk

MAX_MEMBERS = 6


class _SharedFields(dict):
    """A form class's fields, lent to each form made from it instead of deep-copied.

    Django deep-copies every field (and its widget) for each form so that one form may change its
    own fields; the citizen's forms never do (nothing here writes to a field or widget after the
    class is made), and copying 25 fields was a quarter of the CPU of a check-in's POST.
    """

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


def _fields_shared(form_class: type[forms.Form]) -> type[forms.Form]:
    """Lend this class's fields to its forms (subclasses get their own fields, copied as usual)."""
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


def _normalised(normalise, value: str) -> str:
    try:
        return normalise(value)
    except InvalidIdentity as exc:
        raise forms.ValidationError(exc.message) from None


@cache
def commune_choices() -> list[tuple[str, str]]:
    # Communes change by decree, not at runtime: one query per process, not per page view.
    communes = commune_list(province_code=settings.QRTRACE_PROVINCE).values_list("code", "name")
    return [("", _("Another province"))] + [(str(code), name) for code, name in communes]


@_fields_shared
class DeclarationForm(forms.Form):
    """The health declaration; an unticked box is a "no"."""

    fever = forms.BooleanField(label=_("Fever"), required=False)
    cough = forms.BooleanField(label=_("Cough"), required=False)
    breathless = forms.BooleanField(label=_("Shortness of breath"), required=False)
    sore_throat = forms.BooleanField(label=_("Sore throat"), required=False)
    lost_taste_smell = forms.BooleanField(label=_("Loss of taste or smell"), required=False)
    contact_with_case = forms.BooleanField(
        label=_("Contact with a confirmed case (F0) in the last 14 days"), required=False
    )
    travel_from_restricted = forms.BooleanField(
        label=_("Came from an area under restriction in the last 14 days"), required=False
    )

    def declaration(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in FIELDS}

    def declaration_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FIELDS]


# Phones open the phone keypad, years and citizen IDs the digits (a letter keyboard slowed every entry).
_PHONE = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})
_DIGITS = forms.TextInput(attrs={"inputmode": "numeric"})


def answers_from(data, prefix: str) -> dict[str, bool]:
    """A family member's own declaration, from checkboxes named `<prefix><field>` (unticked: no)."""
    return {name: bool(data.get(prefix + name)) for name in FIELDS}


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    phone = forms.CharField(label=_("Phone number"), max_length=20, widget=_PHONE)
    birth_year = forms.CharField(label=_("Year of birth"), max_length=4, widget=_DIGITS)
    citizen_id = forms.CharField(
        label=_("Citizen ID (CCCD), optional"), max_length=14, required=False, widget=_DIGITS
    )
    # A callable: set per form, the province's communes were normalised and deep-copied on every scan.
    commune = forms.ChoiceField(
        label=_("Commune or ward where you live"),
        required=False,
        choices=commune_choices,
        widget=PlainSelect,
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self) -> str:
        return _normalised(normalize_phone, self.cleaned_data["phone"])

    def clean_birth_year(self) -> int:
        return _normalised(parse_birth_year, self.cleaned_data["birth_year"])

    def clean_citizen_id(self) -> str | None:
        raw = self.cleaned_data["citizen_id"]
        return _normalised(normalize_citizen_id, raw) if raw.strip() else None

    def identity(self) -> Identity:
        data = self.cleaned_data
        return Identity(
            full_name=data["full_name"],
            phone=data["phone"],
            citizen_id=data["citizen_id"],
            birth_year=data["birth_year"],
            commune_id=int(data["commune"]) if data.get("commune") else None,
        )

    def person_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PersonForm.base_fields if name in self.fields]


@_fields_shared
class CheckInForm(PersonForm, DeclarationForm):
    """The first check-in from a phone: who you are, your health declaration, your family."""

    remember = forms.BooleanField(label=_("Remember me on this phone"), required=False, initial=True)
    # The family rows, declared with the class rather than made in every form's __init__ (twelve
    # fields built per scan were a tenth of a check-in's CPU).
    for index in range(MAX_MEMBERS):
        locals()[f"member_{index}_name"] = forms.CharField(max_length=120, required=False)
        locals()[f"member_{index}_year"] = forms.CharField(max_length=4, required=False, widget=_DIGITS)
    del index

    def members(self) -> list[tuple[str, int | None]]:
        return [
            (self.cleaned_data[f"member_{index}_name"], self.cleaned_data[f"member_{index}_year"])
            for index in range(MAX_MEMBERS)
            if self.cleaned_data.get(f"member_{index}_name")
        ]

    def member_declarations(self) -> list[dict[str, bool]]:
        """Each family member's own declaration, in the order of `members()` (boxes named
        `member_<i>_<field>`, left unticked by default: a dependant declares no symptoms)."""
        return [
            answers_from(self.data, f"member_{index}_")
            for index in range(MAX_MEMBERS)
            if self.cleaned_data.get(f"member_{index}_name")
        ]

    def clean(self):
        data = super().clean()
        for index in range(MAX_MEMBERS):
            name = " ".join(data.get(f"member_{index}_name", "").split())
            year = data.get(f"member_{index}_year", "").strip()
            data[f"member_{index}_name"] = name
            if name and not year:
                self.add_error(f"member_{index}_year", _("Enter this person's year of birth."))
            elif name:
                try:
                    data[f"member_{index}_year"] = parse_birth_year(year)
                except InvalidIdentity as exc:
                    self.add_error(f"member_{index}_year", exc.message)
        return data

    def member_rows(self):
        """(index, name field, year field, ticked declaration fields) per row, for the template."""
        return [
            (i, self[f"member_{i}_name"], self[f"member_{i}_year"], self._ticked(f"member_{i}_"))
            for i in range(MAX_MEMBERS)
        ]

    def _ticked(self, prefix: str) -> set[str]:
        return {name for name in FIELDS if self.data.get(prefix + name)} if self.is_bound else set()


class StaffLookupForm(forms.Form):
    """Manual entry ("khai hộ"): find someone by phone number or citizen ID."""

    query = forms.CharField(label=_("Phone number or citizen ID (CCCD)"), max_length=20)

    def clean_query(self) -> tuple[str, str]:
        raw = self.cleaned_data["query"]
        for kind, normalise in (("phone", normalize_phone), ("citizen_id", normalize_citizen_id)):
            try:
                return kind, normalise(raw)
            except InvalidIdentity:
                continue
        raise forms.ValidationError(_("Enter a Vietnamese phone number or a 12-digit citizen ID number."))


class StaffEntryForm(PersonForm, DeclarationForm):
    """A person the gate staff declare for: a phone number or a citizen ID is enough to find them again."""

    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False, widget=_PHONE)
    citizen_id = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=14, required=False, widget=_DIGITS)
    # Asked at the gate too (defaulting to the venue's commune), so the commune's health station sees
    # the people gates enter for them (issue 13).

    def clean_phone(self) -> str | None:
        raw = self.cleaned_data["phone"]
        return super().clean_phone() if raw.strip() else None

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("citizen_id") and not self.errors:
            raise forms.ValidationError(_("Give a phone number or a citizen ID number."))
        return data


class VisitorFilterForm(forms.Form):
    day_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    risk = forms.ChoiceField(label=_("Declaration"), required=False, choices=[("", _("All")), *Risk.choices])
    inside = forms.BooleanField(label=_("Only people inside now"), required=False)
    review = forms.BooleanField(label=_("Only check-ins that need review"), required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["day_from"] = data.get("day_from") or today
        data["day_to"] = data.get("day_to") or data["day_from"]
        if data["day_to"] < data["day_from"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        if (data["day_to"] - data["day_from"]).days >= settings.QRTRACE_RETENTION_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days: older check-ins are deleted.")
                % {"days": settings.QRTRACE_RETENTION_DAYS}
            )
        return data


class ExportForm(forms.Form):
    """Why the visitor log leaves the system: recorded in the audit log and printed in the file."""

    purpose = forms.CharField(
        label=_("Purpose of the export (case number or reason)"), min_length=3, max_length=200
    )
