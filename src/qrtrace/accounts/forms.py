from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.audit.vocabulary import action_choices


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    # Long enough for any pass phrase, short enough that hashing it costs nothing unusual.
    password = forms.CharField(label=_("Password"), max_length=1024, strip=False, widget=forms.PasswordInput)


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _date_input() -> forms.DateInput:
    # The browser's date picker sends and expects ISO dates whatever the page's language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    actor_name = forms.CharField(label=_("User"), max_length=150, required=False)
    person_id = forms.IntegerField(label=_("Person number"), min_value=1, max_value=2**63 - 1, required=False)
    action = forms.ChoiceField(label=pgettext_lazy("audit log", "Action"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())

    def __init__(self, *args, recorded_actions: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        known = action_choices()
        codes = {code for code, _words in known}
        # Actions recorded by code this page has no words for yet still get a line, as their code.
        extra = [(code, code) for code in recorded_actions if code not in codes]
        self.fields["action"].choices = [("", _("All actions")), *known, *extra]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned
