"""Atom feeds of announcements: the province's (province-wide notices) and each commune's (its own and
the province's), for agency websites, fanpage tools and Zalo official accounts to pull."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from qrtrace.geo.models import Commune, Province

from .selectors import announcements_current


class ProvinceFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, commune: int | None = None):
        if commune is None:
            return Province.objects.filter(code=settings.QRTRACE_PROVINCE).first()
        found = Commune.objects.filter(code=commune, province_id=settings.QRTRACE_PROVINCE).first()
        if found is None:
            raise Http404(_("No such commune in this province."))
        return found

    def title(self, area) -> str:
        return _("Announcements: %(area)s") % {"area": area.name if area else ""}

    def subtitle(self, area) -> str:
        return _("Notices of the health authorities, from QRTrace.")

    def link(self, area) -> str:
        return reverse("public:page")

    def feed_url(self, area) -> str:
        if isinstance(area, Commune):
            return reverse("public:commune_feed", args=[area.code])
        return reverse("public:feed")

    def items(self, area):
        if isinstance(area, Commune):
            return announcements_current(commune=area.code)
        return announcements_current(province_wide_only=True)

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.body

    def item_link(self, item) -> str:
        return reverse("public:announcement", args=[item.pk])

    def item_guid(self, item) -> str:
        return f"qrtrace-announcement-{item.pk}"

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.area]
