import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qrtrace.accounts.models import ApiToken, Role
from qrtrace.accounts.services import (
    api_token_create,
    api_token_revoke,
    official_password_set,
    official_upsert,
)


class Command(BaseCommand):
    help = "Manage officials: add one scoped to an area, or revoke an API token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create or update an official with a role over an area.")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--area", required=True, help="Province or commune number, venue or facility code.")
        add.add_argument("--token", action="store_true", help="Print a new API token as the last line.")
        add.add_argument(
            "--password",
            action="store_true",
            help="Set a password for the sign-in page: asked twice at a terminal, else one line on stdin "
            "(never on the command line, where other users of the server could read it).",
        )
        revoke = sub.add_parser("revoke-token", help="Revoke an API token by its first characters.")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        if action == "add":
            return self._add(options)
        return self._revoke(options["prefix"])

    def _add(self, options) -> None:
        try:
            user = official_upsert(
                username=options["username"], role=options["role"], area_code=options["area"]
            )
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(f"{user.username}: {Role(options['role']).label} · {options['area']}")
        if options["password"]:
            try:
                official_password_set(user=user, password=self._ask_password())
            except ValidationError as e:
                raise CommandError(" ".join(e.messages)) from None
            self.stdout.write(f"{user.username}: password set; sign in at /accounts/login/")
        elif not user.has_usable_password():
            self.stdout.write(f"{user.username} has no password yet: add --password to set one.")
        if options["token"]:
            self.stdout.write(api_token_create(user=user, name="cli"))

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; no password was set.")
        return first

    def _revoke(self, prefix: str) -> None:
        tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
        if len(tokens) != 1:
            raise CommandError(f"{len(tokens)} active tokens start with {prefix!r}; give exactly one.")
        api_token_revoke(token=tokens[0], actor=None)
        self.stdout.write(f"revoked {prefix}…")
