"""`python manage.py supervision_sweep`: run the deadline sweep once, now, in this process.

Beat runs it every minute; this is for operators (after restoring a backup, or to see what it
would raise) and for set-ups without a worker. Safe while workers sweep too.
"""

import json

from django.core.management.base import BaseCommand

from supervision.sweep import run_sweep


class Command(BaseCommand):
    help = "Run the supervision sweep once and print what it did."

    def add_arguments(self, parser):
        parser.add_argument("--time-budget", type=float, default=0, help="stop after this many seconds (0: until done)")

    def handle(self, *args, time_budget: float, **options):
        while True:
            result = run_sweep(time_budget=time_budget or 0)
            self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
            if not result.more:
                break
