"""`manage.py analysis_rollup`: fill, backfill (rebuild) or check the daily roll-up of the figures.

manage.py analysis_rollup            # what beat does: fill to the last midnight (+ the lag)
manage.py analysis_rollup --rebuild  # empty it and count every settled order again (backfill)
manage.py analysis_rollup --check    # compare the orders it holds with the orders table
"""

from django.core.management.base import BaseCommand, CommandError

from analysis.rollup import rollup_check, rollup_fill, rollup_rebuild


class Command(BaseCommand):
    help = "Fill, rebuild (backfill) or check the daily roll-up behind bulletins and dashboards."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rebuild", action="store_true", help="empty the roll-up and fill it from every order")
        group.add_argument("--check", action="store_true", help="compare the orders held with the orders table")

    def handle(self, *args, rebuild=False, check=False, **options):
        if check:
            result = rollup_check()
            if result is None:
                self.stdout.write("The roll-up was never filled: every figure is counted live.")
                return
            held, actual = result
            self.stdout.write(f"held {held}, settled in the orders table {actual}")
            if held != actual:
                raise CommandError("The roll-up differs from the orders: run analysis_rollup --rebuild.")
            return
        state = rollup_rebuild() if rebuild else rollup_fill()
        self.stdout.write(f"Roll-up holds {state.orders} settled orders, up to {state.settled_before.isoformat()}.")
