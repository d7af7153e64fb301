from django.core.management.base import BaseCommand

from tickets.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_loaded, load_demo


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
        load_demo(order_count=options["orders"])
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, _unit, description in DEMO_LOGINS:
            self.stdout.write(f"    {username:<12} {description}")
