from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Venue
from .selectors import official_communes, province_communes

HOURS_FIELDS = ["opens_at", "closes_at", "always_open"]


class CommuneChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=province_communes(settings.QRTRACE_PROVINCE), label=_("Commune / ward"), **kwargs
        )


class VenueRegisterForm(forms.ModelForm):
    """The public application form of a business or agency."""

    commune = CommuneChoiceField()
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)

    class Meta:
        model = Venue
        fields = ["name", "kind", "address", "commune", "contact_phone"]
        labels = {"name": _("Name of the venue"), "address": _("Address (house number, street, hamlet)")}


class _DetailsForm(forms.ModelForm):
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    lat = forms.DecimalField(
        label=_("Latitude"), min_value=-90, max_value=90, decimal_places=6, required=False
    )
    lng = forms.DecimalField(
        label=_("Longitude"), min_value=-180, max_value=180, decimal_places=6, required=False
    )
    default_stay_minutes = forms.IntegerField(
        label=_("Usual length of a visit (minutes)"),
        min_value=5,
        max_value=24 * 60,
        required=False,
        help_text=_("Leave empty to use the usual length for this kind of venue."),
    )
    opens_at = forms.TimeField(
        label=_("Opens at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Check-ins more than two hours outside these hours are flagged for review."),
    )
    always_open = forms.BooleanField(label=_("Open day and night (hospital, station…)"), required=False)


class VenueCreateForm(_DetailsForm):
    """An official's form: the same details, plus coordinates and the usual stay."""

    commune = CommuneChoiceField()

    class Meta:
        model = Venue
        fields = [
            "name",
            "kind",
            "address",
            "commune",
            "contact_phone",
            "lat",
            "lng",
            "default_stay_minutes",
            *HOURS_FIELDS,
        ]


class VenueEditForm(_DetailsForm):
    class Meta:
        model = Venue
        fields = [
            "name",
            "kind",
            "address",
            "contact_phone",
            "lat",
            "lng",
            "default_stay_minutes",
            *HOURS_FIELDS,
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=3, max_length=300)


class BatchForm(forms.Form):
    """A commune's posters: only the communes the official covers are offered (and accepted)."""

    commune = CommuneChoiceField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = official_communes(user)


class StaffAddForm(forms.Form):
    """A new member of gate staff: the account they sign in with at the gate."""

    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[A-Za-z0-9._-]{3,40}$",
        error_messages={
            "invalid": _("3 to 40 letters without accents, digits, dots, dashes or underscores.")
        },
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Password (at least 10 characters)"), max_length=1024, strip=False, widget=forms.PasswordInput
    )
