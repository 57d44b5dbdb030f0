from django.core.management.base import BaseCommand

from qrtrace.checkins.services.visits import checkins_expire


class Command(BaseCommand):
    help = "Check out every visit left open past its venue's usual stay (the worker does every 5 minutes)."

    def handle(self, *args, **options) -> None:
        closed = checkins_expire()
        self.stdout.write(f"{closed} visits checked out automatically.")
