"""Deadlines on the Chinese working calendar, around real 2026 dates."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from tickets.calendar_import import import_schedule
from tickets.deadlines import handling_deadline
from tickets.models import CalendarDay, TimeLimitPolicy
from tickets.workcalendar import WorkCalendar, parse_working_hours, year_coverage

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SH)


def due(handling_type: str, dispatched: str) -> dt.datetime:
    deadline, _warnings = handling_deadline(handling_type, at(dispatched))
    return deadline.astimezone(SH)


def test_consultation_friday_afternoon_runs_into_spring_festival_make_up_saturday():
    # 2026-02-14 (Saturday) is a make-up working day before the Spring Festival.
    assert due("consultation", "2026-02-13 16:00") == at("2026-02-14 10:45")


def test_service_order_on_make_up_saturday_skips_the_whole_spring_festival():
    # 90 minutes left on Sat 02-14; 02-15 Sunday, 02-16..20 holiday, weekend, 02-23 holiday.
    assert due("service", "2026-02-14 16:00") == at("2026-02-24 16:00")


def test_make_up_sunday_2026_02_28_is_a_working_day():
    assert due("enforcement", "2026-02-27 16:00") == at("2026-02-28 16:00")


def test_order_dispatched_before_national_day_is_due_after_the_holiday_week():
    assert due("service", "2026-09-30 16:00") == at("2026-10-08 16:00")


def test_make_up_saturday_2026_10_10_counts_after_national_day():
    assert due("consultation", "2026-10-09 16:00") == at("2026-10-10 10:45")


def test_order_dispatched_in_the_evening_starts_its_clock_next_morning():
    # 225 minutes from 08:30: the morning's 210 and 15 after lunch.
    assert due("consultation", "2026-11-24 20:00") == at("2026-11-25 13:45")


def test_order_dispatched_during_lunch_starts_its_clock_at_13_30():
    assert due("consultation", "2026-11-24 12:30") == at("2026-11-24 17:15")


def test_order_dispatched_at_closing_time_is_due_next_working_day():
    assert due("service", "2026-11-24 17:30") == at("2026-11-25 17:30")


def test_friday_evening_order_is_due_on_monday():
    assert due("service", "2026-11-27 19:00") == at("2026-11-30 17:30")


def test_one_working_day_from_mid_morning_ends_mid_morning_next_day():
    assert due("enforcement", "2026-11-24 10:00") == at("2026-11-25 10:00")


def test_year_the_package_does_not_cover_keeps_the_statutory_holidays_and_warns():
    deadline, warnings = handling_deadline("service", at("2026-12-31 16:00"))
    # 2027-01-01 (元旦) is a Friday and a day off by law even before the schedule is published.
    assert deadline.astimezone(SH) == at("2027-01-04 16:00")
    assert len(warnings) == 1 and "2027" in warnings[0]


def test_consultation_dispatched_on_new_years_eve_afternoon_is_not_due_on_new_years_day():
    # The case: half a working day from 2026-12-31 16:00 used to end 2027-01-01 10:45.
    assert due("consultation", "2026-12-31 16:00") == at("2027-01-04 10:45")


def test_year_entered_by_an_administrator_is_used_without_warning():
    import_schedule("date,kind,note\n2027-01-01,holiday,元旦\n", fmt="csv")
    deadline, warnings = handling_deadline("service", at("2026-12-31 16:00"))
    assert deadline.astimezone(SH) == at("2027-01-04 16:00")
    assert warnings == ()


def test_a_single_override_in_an_uncovered_year_still_warns():
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    deadline, warnings = handling_deadline("service", at("2026-12-31 16:00"))
    assert deadline.astimezone(SH) == at("2027-01-04 16:00")
    assert warnings


def test_database_override_wins_over_the_package():
    CalendarDay.objects.create(date=dt.date(2026, 11, 25), is_workday=False, note="本地停工")
    assert due("service", "2026-11-24 17:30") == at("2026-11-26 17:30")


def test_override_can_make_a_weekend_day_a_working_day():
    CalendarDay.objects.create(date=dt.date(2026, 11, 28), is_workday=True, note="临时调休")
    assert due("service", "2026-11-27 19:00") == at("2026-11-28 17:30")


def test_half_a_working_day_follows_configured_working_hours(settings):
    settings.HOTLINE_WORKING_HOURS = "09:00-12:00,14:00-18:00"  # 7 h, half is 210 minutes
    assert due("consultation", "2026-11-24 09:00") == at("2026-11-24 14:30")


def test_time_limit_policy_is_editable(settings):
    TimeLimitPolicy.objects.filter(handling_type="consultation").update(handling_working_days=Decimal("1"))
    assert due("consultation", "2026-11-24 10:00") == at("2026-11-25 10:00")


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        WorkCalendar().add_working_minutes(dt.datetime(2026, 11, 24, 10, 0), 60)  # noqa: DTZ001


def test_working_minutes_between_skips_lunch_nights_and_holidays():
    calendar = WorkCalendar()
    assert calendar.working_minutes_between(at("2026-11-24 11:00"), at("2026-11-24 14:00")) == 90
    assert calendar.working_minutes_between(at("2026-09-30 17:00"), at("2026-10-08 09:00")) == 60


@pytest.mark.parametrize("spec", ["8:30-12", "12:00-08:30", "08:00-12:00,11:00-13:00", "nonsense"])
def test_bad_working_hours_fail_loudly(spec):
    with pytest.raises(ImproperlyConfigured):
        parse_working_hours(spec)


def test_year_coverage_reports_the_source():
    assert year_coverage(2026).source == "package"
    assert year_coverage(2027).source == "fallback"
    import_schedule('{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}', fmt="json")
    assert year_coverage(2027).source == "database"
