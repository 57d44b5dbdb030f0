from django.core.management.base import BaseCommand

from qrtrace.privacy.services import encrypted_fields_rotate


class Command(BaseCommand):
    help = (
        "After putting a new key first in QRTRACE_FIELD_KEYS: re-encrypt every encrypted value (phone, "
        "citizen ID, second-factor secrets) under it, in batches. Safe to re-run; then drop the old keys."
    )

    def handle(self, *args, **options):
        for column, count in encrypted_fields_rotate().items():
            self.stdout.write(f"{column}: {count} re-encrypted")
