from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.checkins.forms import commune_choices
from qrtrace.lib.widgets import PlainSelect

from .models import AlertStatus, CaseStatus, Level, TestType


class _Local(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class CaseForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=40)
    full_name = forms.CharField(label=_("Full name (if not yet known)"), max_length=120, required=False)
    confirmed_at = forms.DateTimeField(label=_("Confirmed at"), widget=_Local())
    symptom_onset = forms.DateTimeField(label=_("Symptom onset"), required=False, widget=_Local())
    isolated_at = forms.DateTimeField(label=_("Isolated at"), required=False, widget=_Local())
    test_type = forms.ChoiceField(label=_("Test"), choices=TestType.choices)
    treated_at_place = forms.CharField(label=_("Isolated or treated at"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    commune_code = forms.IntegerField(label=_("Commune code (new person)"), required=False, min_value=1)


class CaseUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    isolated_at = forms.DateTimeField(label=_("Isolated at"), required=False, widget=_Local())
    treated_at_place = forms.CharField(label=_("Isolated or treated at"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlaceForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=200)
    address = forms.CharField(label=pgettext_lazy("place", "Address"), max_length=300, required=False)
    started_at = forms.DateTimeField(label=pgettext_lazy("time", "From"), widget=_Local())
    ended_at = forms.DateTimeField(label=pgettext_lazy("time", "Until"), required=False, widget=_Local())


class ContactForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=40)
    full_name = forms.CharField(label=_("Full name (if not yet known)"), max_length=120, required=False)
    level = forms.ChoiceField(label=pgettext_lazy("exposure", "Level"), choices=Level.choices)
    reason = forms.CharField(label=_("How they were in contact"), max_length=300)


class NotifyForm(forms.Form):
    """The counts per level the official reviewed (hidden on the review page)."""

    f1 = forms.IntegerField(min_value=0, max_value=1_000_000, widget=forms.HiddenInput)
    f2 = forms.IntegerField(min_value=0, max_value=1_000_000, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ResidenceForm(forms.Form):
    """An official correcting where a contact lives (their check-ins declared another commune)."""

    commune = forms.ChoiceField(
        label=_("Lives in"), required=False, choices=commune_choices, widget=PlainSelect
    )
    reason = forms.CharField(label=_("Reason"), min_length=3, max_length=300)


class AlertForm(forms.Form):
    status = forms.ChoiceField(choices=AlertStatus.choices)
    starts_at = forms.DateTimeField(label=pgettext_lazy("time", "From"), widget=_Local())
    ends_at = forms.DateTimeField(label=pgettext_lazy("time", "Until"), widget=_Local())
    message = forms.CharField(label=_("Message"), max_length=500, required=False)
