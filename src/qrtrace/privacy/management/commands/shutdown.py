import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qrtrace.geo.models import Province
from qrtrace.privacy.services import LegalHoldsInForce, personal_data_erase


def _same_name(typed: str, name: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(typed) == norm(name)


class Command(BaseCommand):
    help = (
        "When the measure ends: delete ALL personal data (people, check-ins, declarations, cases, "
        "exposures, legal holds, messages) and print each table's rows before and after. Asks you to "
        "type the province's name; scripts pass --yes-delete-everything. Refuses while a legal hold is "
        "in force, unless --override-legal-holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--yes-delete-everything", action="store_true", help="Do not ask; for scripts.")
        parser.add_argument(
            "--override-legal-holds",
            action="store_true",
            help="Delete the data of held cases too (the audit log names the holds overridden).",
        )

    def handle(self, *args, yes_delete_everything: bool, override_legal_holds: bool, **options):
        province = Province.objects.get(pk=settings.QRTRACE_PROVINCE).name
        if not yes_delete_everything:
            try:
                typed = input(f"This deletes all personal data. Type the province name ({province}): ")
            except EOFError:
                typed = ""
            if not _same_name(typed, province):
                raise CommandError("The name does not match; nothing was deleted.")
        try:
            counts = personal_data_erase(
                reason=f"shutdown of the measure in {province}", override_legal_holds=override_legal_holds
            )
        except LegalHoldsInForce as error:
            held = "; ".join(f"case {h.case_id} until {h.until:%Y-%m-%d} ({h.reason})" for h in error.holds)
            raise CommandError(
                f"{len(error.holds)} legal hold(s) in force: {held}. Nothing was deleted. Lift them at "
                "/privacy/holds/ once the authority that asked agrees, or run again with "
                "--override-legal-holds."
            ) from None
        for label, count in counts.items():
            self.stdout.write(
                f"{label}: {count['deleted']} deleted ({count['before']} before, {count['after']} left)"
            )
