from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qrtrace.dashboard.services import boundaries_import


class Command(BaseCommand):
    help = "Map data: import commune boundaries (GeoJSON) for the epidemic-control map."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        boundaries = sub.add_parser(
            "import-boundaries", help="A GeoJSON FeatureCollection of commune shapes."
        )
        boundaries.add_argument("file", type=Path)
        boundaries.add_argument(
            "--code-property",
            default="code",
            help="The feature property holding the commune code (default: code).",
        )

    def handle(self, *args, action: str, file: Path, code_property: str, **options):
        try:
            result = boundaries_import(data=file.read_bytes(), code_property=code_property)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for line in result.unmatched + result.errors:
            self.stderr.write(line)
        self.stdout.write(
            f"{result.saved} saved, {len(result.unmatched)} unmatched, {len(result.errors)} invalid."
        )
        if result.unmatched or result.errors:
            raise CommandError("Some features were not imported (listed above).", returncode=2)
