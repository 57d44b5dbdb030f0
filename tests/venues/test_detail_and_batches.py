"""The venue page shows who registered it (an audited read); the poster batch page offers only the
official's own communes."""

import pytest
from django.urls import reverse

from qrtrace.audit.models import AuditEvent
from tests import actors

pytestmark = pytest.mark.django_db


def test_the_venue_page_shows_the_registrants_phone_and_records_the_read(client, commune_official):
    venue = actors.make_venue("Quán Mới", status="pending", contact_phone="+84912345678")
    client.force_login(commune_official)
    page = client.get(reverse("venues:detail", args=[venue.pk])).content.decode()
    assert "091 234 5678" in page and 'href="tel:+84912345678"' in page
    event = AuditEvent.objects.get(action="read", object_type="venue", object_id=venue.code)
    assert (event.actor, event.purpose) == (commune_official, "venue registrant's contact")


def test_a_commune_station_is_offered_only_its_own_commune_for_posters(client, commune_official):
    client.force_login(commune_official)
    form = client.get(reverse("venues:batches")).context["form"]
    assert [c.code for c in form.fields["commune"].queryset] == [actors.COMMUNE_A]
    refused = client.post(reverse("venues:batches"), {"commune": actors.COMMUNE_B})
    assert refused.status_code == 400 and "commune" in refused.context["form"].errors


def test_the_province_office_is_offered_every_commune_of_the_province(client, province_official):
    client.force_login(province_official)
    communes = client.get(reverse("venues:batches")).context["form"].fields["commune"].queryset
    assert communes.count() > 100 and {actors.COMMUNE_A, actors.COMMUNE_B} <= {c.code for c in communes}
