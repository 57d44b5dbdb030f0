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


class RoomForm(forms.Form):
    room_label = forms.CharField(label=_("Room"), max_length=40)
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=200)
    cohort = forms.CharField(label=_("Cohort"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FacilityStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FacilityStatus.choices)


def _day_list(text: str) -> list[int]:
    """ "5, 7" → [5, 7]; a ValidationError for anything else."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not all(part.isdigit() and len(part) <= 2 for part in parts):
        raise forms.ValidationError(_("Write the test days as numbers separated by commas, e.g. 5, 7."))
    return [int(part) for part in parts]


class PolicyDraftForm(forms.Form):
    """A new policy as a draft: its version and date, and each reason × vaccination cell of the
    policy it starts from (days, test days, self-monitoring days, home allowed)."""

    version = forms.CharField(label=_("Version"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    effective_from = forms.DateField(label=_("Effective from"), widget=_Date())
    checks_per_day = forms.TypedChoiceField(
        label=_("Health checks per day"), choices=[(1, "1"), (2, "2")], coerce=int
    )

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for rule in rules:
            key = f"{rule.reason}-{rule.vaccination}"
            label = f"{rule.get_reason_display()} · {rule.get_vaccination_display()}"
            self.fields[f"days-{key}"] = forms.IntegerField(
                label=_("Days"), min_value=0, max_value=60, initial=rule.days, required=False
            )
            self.fields[f"tests-{key}"] = forms.CharField(
                label=_("Test days"),
                max_length=40,
                required=False,
                initial=", ".join(str(d) for d in rule.test_days),
            )
            self.fields[f"monitoring-{key}"] = forms.IntegerField(
                label=_("Monitoring"),
                min_value=0,
                max_value=30,
                initial=rule.monitoring_days,
                required=False,
            )
            self.fields[f"home-{key}"] = forms.BooleanField(
                label=_("At home"), required=False, initial=rule.home_allowed
            )
            self.cells.append((label, key, rule))

    def clean(self):
        data = super().clean()
        for _label, key, _rule in self.cells:
            try:
                data[f"tests-{key}"] = _day_list(data.get(f"tests-{key}", "") or "")
            except forms.ValidationError as error:
                self.add_error(f"tests-{key}", error)
        return data

    def rows(self):
        """The cells as the form shows them: a label and its four fields."""
        return [
            (label, [self[f"{name}-{key}"] for name in ("days", "tests", "monitoring", "home")])
            for label, key, _rule in self.cells
        ]

    def rules(self) -> list[dict]:
        """The cells for `policy_draft_create`; a number left empty keeps the base policy's."""
        data = self.cleaned_data
        return [
            {
                "reason": rule.reason,
                "vaccination": rule.vaccination,
                "days": rule.days if data[f"days-{key}"] is None else data[f"days-{key}"],
                "test_days": data[f"tests-{key}"],
                "test_type": rule.test_type,
                "monitoring_days": (
                    rule.monitoring_days if data[f"monitoring-{key}"] is None else data[f"monitoring-{key}"]
                ),
                "home_allowed": data[f"home-{key}"],
            }
            for _label, key, rule in self.cells
        ]


class ConfirmPolicyForm(forms.Form):
    orders = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have checked the orders listed: apply this policy to them."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
