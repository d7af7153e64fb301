from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tickets.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("workcalendar", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_due_prints_the_deadline_in_the_bureau_time_zone():
    out, err = run("due", "consultation", "2026-02-13 16:00")
    assert out == "2026-02-14 10:45"
    assert err == ""


def test_due_warns_for_a_year_without_official_schedule():
    out, err = run("due", "service", "2026-12-31 16:00")
    assert out == "2027-01-04 16:00"  # 2027-01-01 is 元旦, off by law
    assert "2027" in err


def test_due_rejects_a_malformed_time():
    with pytest.raises(CommandError):
        run("due", "service", "tomorrow at nine")


def test_check_says_where_a_known_year_comes_from():
    out, _err = run("check", "2026")
    assert "2026: known" in out and "chinesecalendar" in out


def test_check_says_an_uncovered_year_is_not_known():
    out, _err = run("check", "2027")
    assert "NOT known" in out


def test_import_csv_loads_the_schedule(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("date,kind,note\n2027-01-01,holiday,元旦\n2027-02-06,班,春节调休\n", encoding="utf-8")
    out, _err = run("import", str(path))
    assert "2027" in out
    assert CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.get(date="2027-02-06").is_workday
    out, _err = run("check", "2027")
    assert "known" in out and "administrator" in out


def test_import_json_loads_the_schedule(tmp_path):
    path = tmp_path / "2027.json"
    path.write_text('{"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}', encoding="utf-8")
    run("import", str(path))
    assert CalendarDay.objects.count() == 2


def test_import_with_a_bad_line_changes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,holiday\n2027-13-40,holiday\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2027-13-40"):
        run("import", str(path))
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_import_of_a_missing_file_is_an_error():
    with pytest.raises(CommandError):
        run("import", "/nonexistent/2027.csv")
