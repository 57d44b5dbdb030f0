from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qrtrace.tracing.models import TestType

from .models import FacilityStatus, Kind, OrderStatus, Sex, Slot, Vaccination


class _Date(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class BulkOrderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Where"), choices=Kind.choices)
    facility = forms.ChoiceField(label=_("Facility"), required=False)
    vaccination = forms.ChoiceField(label=_("Vaccination"), choices=Vaccination.choices)
    start_date = forms.DateField(label=_("Start"), required=False, widget=_Date())
    cohort = forms.CharField(label=_("Cohort"), max_length=60, required=False)

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "—"), *((f.code, f"{f.name} ({f.code})") for f in facilities)]


class _Decimal(forms.DecimalField):
    """36,8 or 36.8: phones in Vietnam type a decimal comma."""

    def to_python(self, value):
        return super().to_python(value.replace(",", ".") if isinstance(value, str) else value)


class CheckForm(forms.Form):
    temperature = _Decimal(label=_("Temperature (°C)"), max_digits=3, decimal_places=1, required=False)
    spo2 = forms.IntegerField(label=_("SpO2 (%)"), required=False)
    cough = forms.BooleanField(label=_("Cough"), required=False)
    breathless = forms.BooleanField(label=_("Short of breath"), required=False)
    sore_throat = forms.BooleanField(label=_("Sore throat"), required=False)
    loss_of_smell = forms.BooleanField(label=_("Loss of taste or smell"), required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Text, not number: a phone's number field refuses the decimal comma people type here.
        self.fields["temperature"].widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 5})
        self.fields["spo2"].widget.attrs.update({"inputmode": "numeric"})


class StaffCheckForm(CheckForm):
    slot = forms.ChoiceField(label=pgettext_lazy("health check slot", "Check"), choices=Slot.choices)


class ExtendForm(forms.Form):
    planned_end = forms.DateField(label=_("New planned end"), widget=_Date())
    reason = forms.CharField(label=_("Reason"), max_length=300)


class EndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (OrderStatus.ENDED_EARLY, OrderStatus.ENDED_EARLY.label),
            (OrderStatus.ABSCONDED, OrderStatus.ABSCONDED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TransferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Where"), choices=Kind.choices)
    facility = forms.ChoiceField(label=_("Facility"), required=False)
    address = forms.CharField(label=_("Address at home"), max_length=300, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    override_reason = forms.CharField(
        label=_("Override the room rules (reason)"),
        max_length=300,
        required=False,
        help_text=_("Only if the only free bed is in a room for another sex or cohort."),
    )

    def __init__(self, *args, facilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [("", "—"), *((f.code, f"{f.name} ({f.code})") for f in facilities)]


class ReleaseForm(forms.Form):
    unit = forms.CharField(label=_("Issuing unit"), max_length=200, required=False)


class ResultForm(forms.Form):
    day = forms.IntegerField(label=_("Test day"), min_value=1, max_value=99, required=False)
    result = forms.ChoiceField(
        label=_("Result"), choices=[("negative", _("Negative")), ("positive", _("Positive"))]
    )
    test_type = forms.ChoiceField(label=_("Test"), choices=TestType.choices)
    sample_date = forms.DateField(label=_("Sample date"), required=False, widget=_Date())
    lab = forms.CharField(label=_("Lab"), max_length=120, required=False)
    register_case = forms.BooleanField(label=_("Positive: register the person as a case now"), required=False)


class LabCsvForm(forms.Form):
    file = forms.FileField(label=_("Lab CSV (order, day, result, test_type, sample_date, lab)"))


class ConfirmPolicyForm(forms.Form):
    orders = forms.CharField(required=False, widget=forms.HiddenInput)


class RoomForm(forms.Form):
    room_label = forms.CharField(label=_("Room"), max_length=40)
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=200)
    cohort = forms.CharField(label=_("Cohort"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FacilityStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FacilityStatus.choices)
