import json
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qrtrace.geo.models import Commune

from .models import AreaKind


class OverrideForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, min_length=5)
    expires_on = forms.DateField(label=_("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The decision must expire in the future."))
        return day

    def expires_at(self):
        day = self.cleaned_data["expires_on"] + timedelta(days=1)
        return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))


class ProfileImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 8:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AreaKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, min_length=5)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes"),
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    geometry = forms.CharField(
        label=_("Or a polygon (GeoJSON, province office)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_geometry(self):
        raw = self.cleaned_data["geometry"].strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("Give a GeoJSON Polygon or MultiPolygon.")) from None

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = Commune.objects.filter(code__in=[c.code for c in communes])


class AreaChangeForm(AreaForm):
    """Correct an area or move its end: the fields of a new one, less the polygon (and, for an area
    drawn on the map, its communes)."""

    def __init__(self, *args, area, communes=(), **kwargs):
        initial = {
            "name": area.name,
            "kind": area.kind,
            "reason": area.reason,
            "starts_on": area.starts_on,
            "ends_on": area.ends_on,
            "communes": list(area.communes.all()),
        }
        super().__init__(*args, communes=communes, initial=initial, **kwargs)
        del self.fields["geometry"]
        if area.geometry is not None:
            del self.fields["communes"]


class AreaEndForm(forms.Form):
    on = forms.DateField(
        label=_("Lifted from (no longer in force that day)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Why it is lifted"), max_length=500, min_length=5)
