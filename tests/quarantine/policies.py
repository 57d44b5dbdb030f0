"""The Ministry's policies as `migrate` ships them. A transactional test (a browser or live-server one)
empties every table when it ends, the rows data migrations wrote among them; tests that order
quarantine call this first so they do not depend on which tests ran before them."""

from importlib import import_module

from django.apps import apps

from qrtrace.quarantine.models import QuarantinePolicy


def ensure_ministry_policies() -> None:
    if not QuarantinePolicy.objects.filter(version="BYT-2022-02").exists():
        import_module("qrtrace.quarantine.migrations.0002_policies_of_the_ministry").load(apps, None)
