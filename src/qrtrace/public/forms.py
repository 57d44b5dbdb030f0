import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qrtrace.lib.identity import InvalidIdentity, normalize_phone

from .models import Announcement, Feedback, FeedbackKind, Priority
from .selectors import province_communes

_FORM_SALT = "public.feedback-form"
# A person needs a few seconds to fill the report in; a robot posting at once, or a page kept open
# for days and replayed, is refused (with a fresh form, keeping what was typed).
FORM_MIN_SECONDS = 3
FORM_MAX_SECONDS = 6 * 3600


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AnnouncementForm(forms.ModelForm):
    communes = forms.ModelMultipleChoiceField(
        queryset=province_communes(),
        required=False,
        label=_("Communes (none chosen: the whole province)"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    withdrawn = forms.BooleanField(label=_("Withdraw (no longer shown anywhere)"), required=False)

    class Meta:
        model = Announcement
        fields = ["title", "body", "communes", "priority", "publish_at", "expires_at"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "publish_at": LocalDateTimeInput(),
            "expires_at": LocalDateTimeInput(),
        }
        help_texts = {
            "body": _("Plain text; web addresses become links."),
            "publish_at": _("Empty: now."),
            "expires_at": _("Empty: until withdrawn."),
        }
        input_formats = ["%Y-%m-%dT%H:%M"]

    def __init__(self, *args, commune_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if commune_choices is not None:
            self.fields["communes"].queryset = commune_choices
        self.fields["publish_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["expires_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["publish_at"].required = False
        self.fields["priority"].choices = Priority.choices
        if self.instance.pk:
            self.fields["withdrawn"].initial = self.instance.withdrawn_at is not None
        else:
            del self.fields["withdrawn"]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "communes": [c.code for c in data["communes"]],
            "priority": int(data["priority"]),
            "publish_at": data["publish_at"] or timezone.now(),
            "expires_at": data["expires_at"],
        }


class SmsForm(forms.Form):
    days = forms.IntegerField(
        label=_("People who checked in within its area in the last … days"),
        min_value=1,
        max_value=settings.QRTRACE_RETENTION_DAYS,
        initial=7,
    )


class SelfCheckForm(forms.Form):
    code = forms.CharField(label=_("Code on the venue's poster"), max_length=12, min_length=4)
    day = forms.DateField(label=_("Date of your visit"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Choose a day that has passed."))
        return day


def form_token() -> str:
    return signing.dumps(int(time.time()), salt=_FORM_SALT)


class FeedbackForm(forms.ModelForm):
    commune = forms.ModelChoiceField(queryset=province_communes(), label=_("Commune of the place"))
    # Spam resistance without a captcha: a field people never see (robots fill it in), and a signed
    # time the form was given out (robots post at once or replay old forms).
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    issued = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Feedback
        fields = ["kind", "commune", "place", "text", "phone"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FeedbackKind.choices
        self.fields["phone"].required = False

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except InvalidIdentity as error:
            raise forms.ValidationError(error.message) from None

    def clean_issued(self):
        try:
            issued = signing.loads(self.cleaned_data["issued"], salt=_FORM_SALT)
        except (signing.BadSignature, TypeError):
            issued = None
        age = time.time() - issued if isinstance(issued, int) else -1
        if not FORM_MIN_SECONDS <= age <= FORM_MAX_SECONDS:
            raise forms.ValidationError(_("Please check the form and send it again."))
        return issued
