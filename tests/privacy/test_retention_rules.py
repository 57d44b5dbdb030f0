"""Every table that holds personal data has a retention rule (qrtrace.privacy.retention), and the
docs show them."""

from pathlib import Path

from django.apps import apps
from django.db import models

from qrtrace.lib.crypto import EncryptedTextField
from qrtrace.people.models import Person
from qrtrace.privacy.retention import RETENTION, markdown_table
from qrtrace.privacy.services import personal_data_models

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _names_people(model: type[models.Model]) -> bool:
    """Encrypted fields (phones, IDs, addresses, secrets), IP addresses, or people by number."""
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedTextField | models.GenericIPAddressField):
            return True
        if not field.is_relation and field.name in ("person_id", "person_ids"):
            return True
    return False


def _personal_models() -> set[type[models.Model]]:
    return set(personal_data_models()) | {model for model in apps.get_models() if _names_people(model)}


def test_every_table_with_personal_data_has_a_retention_rule():
    personal = _personal_models()
    assert Person in personal and len(personal) >= 10  # the walk finds what it should
    missing = sorted(model._meta.label for model in personal - RETENTION.keys())
    assert missing == [], f"say in qrtrace/privacy/retention.py how long these are kept: {missing}"


def test_the_rules_name_only_personal_tables_and_the_shutdown_empties_each_it_claims_to():
    assert set(RETENTION) <= _personal_models()
    emptied = {model for model, rule in RETENTION.items() if rule.at_shutdown}
    assert emptied == set(personal_data_models())


def test_docs_show_the_retention_rules():
    assert markdown_table() in DOCS.read_text(), f"put this table in docs/security.md:\n{markdown_table()}"
