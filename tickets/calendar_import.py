"""Load a year's official schedule (holidays and make-up working days) from CSV or JSON.

CSV, one day a line, with an optional header:
    date,kind,note
    2027-01-01,holiday,元旦
    2027-02-07,workday,春节调休上班
`kind` is `holiday` (or 休) or `workday` (or 班).

JSON:
    {"year": 2027, "note": "国务院办公厅通知", "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07"]}

Every year that the file names is marked as entered (`CalendarYear`), so deadlines in it no
longer carry the fallback warning. The import is all or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarDay, CalendarYear

HOLIDAY_WORDS = {"holiday", "休", "假", "off", "0", "false"}
WORKDAY_WORDS = {"workday", "班", "work", "1", "true"}


class CalendarImportError(ValueError):
    pass


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    holidays: int
    workdays: int


def _parse_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CalendarImportError(
            _("%(where)s：「%(text)s」不是 YYYY-MM-DD 格式的日期。") % {"where": where, "text": text}
        ) from exc


def parse_csv(text: str) -> tuple[dict[dt.date, tuple[bool, str]], str]:
    days: dict[dt.date, tuple[bool, str]] = {}
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if lineno == 1 and row[0].strip().lower() == "date":
            continue
        where = _("第 %(n)s 行") % {"n": lineno}
        if len(row) < 2:
            raise CalendarImportError(_("%(where)s：需要「日期,类型」两列。") % {"where": where})
        day = _parse_date(row[0], where)
        kind = row[1].strip().lower()
        if kind in HOLIDAY_WORDS:
            is_workday = False
        elif kind in WORKDAY_WORDS:
            is_workday = True
        else:
            raise CalendarImportError(
                _("%(where)s：类型「%(kind)s」应为 holiday（休）或 workday（班）。") % {"where": where, "kind": row[1]}
            )
        days[day] = (is_workday, row[2].strip() if len(row) > 2 else "")
    return days, ""


def parse_json(text: str) -> tuple[dict[dt.date, tuple[bool, str]], str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarImportError(_("JSON 格式错误：%(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise CalendarImportError(_("JSON 顶层应为对象，包含 holidays 和 workdays 列表。"))
    days: dict[dt.date, tuple[bool, str]] = {}
    for key, is_workday in (("holidays", False), ("workdays", True)):
        values = data.get(key, [])
        if not isinstance(values, list):
            raise CalendarImportError(_("「%(key)s」应为日期列表。") % {"key": key})
        for value in values:
            days[_parse_date(str(value), key)] = (is_workday, "")
    year = data.get("year")
    if year is not None and any(day.year != year for day in days):
        raise CalendarImportError(_("文件中的日期与年份 %(year)s 不一致。") % {"year": year})
    return days, str(data.get("note", ""))


def import_schedule(text: str, *, fmt: str) -> ImportResult:
    days, note = parse_json(text) if fmt == "json" else parse_csv(text)
    if not days:
        raise CalendarImportError(_("文件中没有任何日期。"))
    years = sorted({day.year for day in days})
    with transaction.atomic():
        for year in years:
            CalendarYear.objects.update_or_create(year=year, defaults={"note": note[:200]})
        for day, (is_workday, day_note) in days.items():
            CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": day_note[:100]})
    return ImportResult(
        years=tuple(years),
        holidays=sum(1 for w, _n in days.values() if not w),
        workdays=sum(1 for w, _n in days.values() if w),
    )
