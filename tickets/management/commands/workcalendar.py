"""workcalendar due TYPE "YYYY-MM-DD HH:MM" | check YEAR | import FILE"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets.calendar_import import CalendarImportError, import_schedule
from tickets.deadlines import handling_deadline
from tickets.models import HandlingType
from tickets.workcalendar import YearSource, bureau_tz, year_coverage


class Command(BaseCommand):
    help = "The working calendar: compute a deadline, check a year, import a year's schedule."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        due = sub.add_parser("due", help="Print the handling deadline of an order dispatched then.")
        due.add_argument("handling_type", choices=HandlingType.values)
        due.add_argument("dispatched_at", help='"YYYY-MM-DD HH:MM" in the bureau\'s time zone')
        check = sub.add_parser("check", help="Say whether a year's holidays are known and from where.")
        check.add_argument("year", type=int)
        imp = sub.add_parser("import", help="Load a year's official schedule from a CSV or JSON file.")
        imp.add_argument("file")

    def handle(self, *args, **options):
        return getattr(self, f"handle_{options['subcommand']}")(options)

    def handle_due(self, options):
        try:
            start = dt.datetime.strptime(options["dispatched_at"].strip(), "%Y-%m-%d %H:%M").replace(tzinfo=bureau_tz())
        except ValueError as exc:
            raise CommandError('dispatched_at must look like "2026-02-13 16:00"') from exc
        due, warnings = handling_deadline(options["handling_type"], start)
        for warning in warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        self.stdout.write(timezone.localtime(due, bureau_tz()).strftime("%Y-%m-%d %H:%M"))

    def handle_check(self, options):
        coverage = year_coverage(options["year"])
        where = {
            YearSource.PACKAGE: "the chinesecalendar package",
            YearSource.DATABASE: "the schedule entered by an administrator",
            YearSource.FALLBACK: None,
        }[coverage.source]
        if coverage.known:
            self.stdout.write(
                f"{coverage.year}: known, from {where} ({coverage.override_days} day override(s) in the database)"
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{coverage.year}: NOT known; deadlines assume Monday-Friday until an administrator "
                    f"imports the official schedule ({coverage.override_days} day override(s) in the database)"
                )
            )

    def handle_import(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        fmt = "json" if path.suffix.lower() == ".json" else "csv"
        try:
            result = import_schedule(path.read_text(encoding="utf-8-sig"), fmt=fmt)
        except (CalendarImportError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {', '.join(map(str, result.years))}: "
                f"{result.holidays} holiday(s), {result.workdays} make-up working day(s)"
            )
        )
