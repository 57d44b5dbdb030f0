from django import forms
from django.utils.translation import gettext_lazy as _

from qrtrace.checkins.forms import commune_choices
from qrtrace.lib.identity import InvalidIdentity, normalize_phone, parse_birth_year
from qrtrace.lib.widgets import PlainSelect

from .my_data import CODE_DIGITS


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except InvalidIdentity as exc:
            raise forms.ValidationError(exc.message) from None


class CodeForm(forms.Form):
    # The phone number travels signed in the page (see views), not in a server-side session.
    ticket = forms.CharField(widget=forms.HiddenInput, max_length=500)
    code = forms.RegexField(
        label=_("The 6-digit code we sent by SMS"),
        regex=rf"^\d{{{CODE_DIGITS}}}$",
        max_length=CODE_DIGITS,
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class DetailsForm(forms.Form):
    """A person correcting their own details, after proving their phone by SMS code."""

    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_year = forms.CharField(
        label=_("Year of birth"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    commune = forms.ChoiceField(
        label=_("Commune or ward where you live"), required=False, choices=commune_choices, widget=PlainSelect
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name

    def clean_birth_year(self) -> int:
        try:
            return parse_birth_year(self.cleaned_data["birth_year"])
        except InvalidIdentity as exc:
            raise forms.ValidationError(exc.message) from None


class LegalHoldForm(forms.Form):
    case = forms.IntegerField(label=_("Case number (F0-…)"), min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(
        label=_("Reason (who asked, which file)"),
        min_length=10,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    until = forms.DateField(label=_("Keep until"), widget=forms.DateInput(attrs={"type": "date"}))


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason for lifting"), min_length=10, max_length=300)
