from django import forms
from django.utils.translation import gettext_lazy as _


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
