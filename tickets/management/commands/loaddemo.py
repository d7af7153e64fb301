import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from supervision.demo import SupervisionHistory
from tickets.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_loaded, load_demo

# The demo's eight weeks of orders; supervision went live for the last two of them.
SUPERVISION_LIVE_DAYS = 14


class Command(BaseCommand):
    help = "Build a demo county bureau: units, one user per role, routing rules and ~200 orders."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if units already exist.")
        parser.add_argument("--orders", type=int, default=200, help="How many orders (default 200).")
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, **options):
        if options["print_logins"]:
            self.print_logins()
            return
        if options["if_empty"] and demo_loaded():
            self.stdout.write("Demo data already loaded; leaving it as it is.")
            return
        # The command puts the whole demo together: the supervision rules run along the orders'
        # history (tickets.demo itself knows nothing of supervision).
        now = timezone.now()
        history = SupervisionHistory(since=now - dt.timedelta(days=SUPERVISION_LIVE_DAYS))
        load_demo(order_count=options["orders"], now=now, history=history)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, _unit, description in DEMO_LOGINS:
            self.stdout.write(f"    {username:<12} {description}")
