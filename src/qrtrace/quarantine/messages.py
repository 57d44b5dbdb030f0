from django.utils.translation import gettext_lazy as _

# One answer for an order that does not exist and one outside the caller's area.
NO_ORDER = _("There is no such quarantine order.")
NO_FACILITY = _("There is no such quarantine facility.")
NO_PERSON = _("There is no such person in your area.")
NO_POLICY = _("There is no such policy.")
