from django import forms
from django.utils.translation import gettext_lazy as _

from qrtrace.lib.identity import InvalidIdentity, normalize_phone

from .my_data import CODE_DIGITS


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Your phone number"), max_length=20)

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
