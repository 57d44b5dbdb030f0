import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qrtrace.geo.models import Province
from qrtrace.privacy.services import personal_data_erase


def _same_name(typed: str, name: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(typed) == norm(name)


class Command(BaseCommand):
    help = (
        "When the measure ends: delete ALL personal data (people, check-ins, declarations, cases, "
        "exposures, messages). Asks you to type the province's name; scripts pass --yes-delete-everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--yes-delete-everything", action="store_true", help="Do not ask; for scripts.")

    def handle(self, *args, yes_delete_everything: bool, **options):
        province = Province.objects.get(pk=settings.QRTRACE_PROVINCE).name
        if not yes_delete_everything:
            try:
                typed = input(f"This deletes all personal data. Type the province name ({province}): ")
            except EOFError:
                typed = ""
            if not _same_name(typed, province):
                raise CommandError("The name does not match; nothing was deleted.")
        counts = personal_data_erase(reason=f"shutdown of the measure in {province}")
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} deleted")
