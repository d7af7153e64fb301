"""`python manage.py supervision_health [--deep]`: exit 1 when deadline enforcement has stopped.

The checks of `/healthz` (hotline/health.py) without going through the web server, for the
health checks of the beat and worker containers and for cron or systemd timers on a bare server.
Prints the same JSON body.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from hotline.health import system_health


class Command(BaseCommand):
    help = "Check the database, the sweep heartbeat (and with --deep the broker); exit 1 on failure."

    def add_arguments(self, parser):
        parser.add_argument("--deep", action="store_true", help="also check that the broker answers")

    def handle(self, *args, deep: bool, **options):
        health = system_health(deep=deep)
        self.stdout.write(json.dumps(health.as_dict(), ensure_ascii=False))
        if not health.ok:
            raise CommandError(f"unhealthy: {', '.join(health.failed)}")
