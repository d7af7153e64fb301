"""Generating, versioning and the immutability of published bulletins; remedies committed."""

import datetime as dt

import pytest

from analysis.bulletins import (
    MSG_DATE_RANGE,
    MSG_NOT_IN_MEETING,
    MSG_PERIOD_FUTURE,
    MSG_PERIOD_ORDER,
    bulletin_generate,
    commitment_record,
    period_commitments,
)
from analysis.models import Bulletin, BulletinKind
from stations.models import Role
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at, local
from tests.factories import UserFactory
from tickets.exceptions import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


def generate(user, start=WEEK_START, end=WEEK_END, moment=GENERATED_AT, **kwargs):
    with at(moment):
        return bulletin_generate(start=start, end=end, acting_user=user, **kwargs)


def test_generate_publishes_version_one_with_the_snapshot(week, manager, station_a):
    bulletin = generate(manager)
    assert (bulletin.version, bulletin.kind, bulletin.generated_by) == (1, BulletinKind.WEEKLY, manager)
    assert bulletin.title == "每周通报（2026-11-16—2026-11-22）"
    assert bulletin.data["totals"]["received"] == 10
    assert bulletin.data["cutoff"].startswith("2026-11-23T08:00:00")


def test_regenerating_makes_a_new_version_and_the_old_one_stays_as_it_was(week, manager, station_a, officer_a):
    first = generate(manager)
    # o8 is finally reported and the period is generated again a day later.
    week["o8"].contact(local(23, 9), officer_a).report(local(23, 10), officer_a)
    second = generate(manager, moment=local(24, 8))
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.data["totals"]["received"] == second.data["totals"]["received"] == 10
    a_first = next(u for u in first.data["units"] if u["unit_id"] == station_a.pk)["figures"]
    a_second = next(u for u in second.data["units"] if u["unit_id"] == station_a.pk)["figures"]
    assert a_first["responded"] == a_second["responded"] == 5  # o8 was contacted too late either way
    assert Bulletin.objects.filter(period_start=WEEK_START).count() == 2


def test_a_published_bulletin_cannot_be_changed_or_deleted(week, manager):
    bulletin = generate(manager)
    bulletin.data = {}
    with pytest.raises(ValueError):
        bulletin.save()
    with pytest.raises(ValueError):
        bulletin.delete()
    assert Bulletin.objects.get(pk=bulletin.pk).data["totals"]["received"] == 10


def test_a_custom_period_is_a_custom_bulletin(manager):
    bulletin = generate(manager, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 22))
    assert bulletin.kind == BulletinKind.CUSTOM
    assert bulletin.title == "工单办理情况通报（2026-11-01—2026-11-22）"


def test_automatic_generation_is_idempotent(manager):
    first = generate(None, automatic=True)
    second = generate(None, automatic=True, moment=local(23, 8, 5))
    assert first.pk == second.pk
    assert Bulletin.objects.count() == 1


def test_a_person_may_generate_a_period_the_beat_already_did(manager):
    generate(None, automatic=True)
    assert generate(manager).version == 2


def test_only_supervisors_generate(officer_a, dispatcher):
    for user in (officer_a, dispatcher):
        with pytest.raises(NotPermitted):
            generate(user)
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (dt.date(2026, 11, 22), dt.date(2026, 11, 16), "end", MSG_PERIOD_ORDER),
        (dt.date(2026, 11, 24), dt.date(2026, 11, 30), "start", MSG_PERIOD_FUTURE),
        (dt.date(1, 1, 1), dt.date(1, 1, 7), "start", MSG_DATE_RANGE),
        (dt.date(2025, 1, 1), dt.date(2026, 11, 1), "end", None),
    ],
)
def test_invalid_periods_are_refused_naming_the_field(manager, start, end, field, message):
    with pytest.raises(InvalidInput) as exc:
        generate(manager, start=start, end=end)
    assert field in exc.value.field_errors
    if message:
        assert exc.value.field_errors[field] == message


def test_current_week_can_be_generated_up_to_now(week, manager, station_a):
    bulletin = generate(manager, moment=local(18, 9, 30))
    a = next(u for u in bulletin.data["units"] if u["unit_id"] == station_a.pk)["figures"]
    assert a["due"] == 4


def test_unit_head_commits_remedies_for_own_unit_on_the_meeting_list(week, manager, head_a, station_a):
    bulletin = generate(manager)
    with at(local(23, 10)):
        commitment = commitment_record(
            bulletin=bulletin,
            unit=station_a,
            measures="逐一回访不满意群众。",
            due_on=dt.date(2026, 11, 30),
            acting_user=head_a,
        )
    assert commitment.recorded_by == head_a
    # Shown on every version of the period.
    later = generate(manager, moment=local(24, 8))
    assert list(period_commitments(later)) == [commitment]


def test_a_unit_not_on_the_meeting_list_cannot_commit(week, manager, station_b):
    bulletin = generate(manager)
    with at(local(23, 10)), pytest.raises(InvalidInput) as exc:
        commitment_record(
            bulletin=bulletin, unit=station_b, measures="……", due_on=dt.date(2026, 11, 30), acting_user=manager
        )
    assert exc.value.field_errors == {"unit": MSG_NOT_IN_MEETING}


def test_a_head_cannot_commit_for_another_unit(week, manager, station_a, station_b):
    head_b = UserFactory(username="head_b", unit=station_b, role=Role.UNIT_HEAD)
    bulletin = generate(manager)
    with at(local(23, 10)), pytest.raises(NotPermitted):
        commitment_record(
            bulletin=bulletin, unit=station_a, measures="……", due_on=dt.date(2026, 11, 30), acting_user=head_b
        )


def test_commitment_needs_measures_and_a_deadline_not_in_the_past(week, manager, station_a):
    bulletin = generate(manager)
    with at(local(23, 10)):
        with pytest.raises(InvalidInput) as exc:
            commitment_record(bulletin=bulletin, unit=station_a, measures=" ", due_on=None, acting_user=manager)
        assert "measures" in exc.value.field_errors
        with pytest.raises(InvalidInput) as exc:
            commitment_record(
                bulletin=bulletin, unit=station_a, measures="整改", due_on=dt.date(2026, 11, 1), acting_user=manager
            )
        assert "due_on" in exc.value.field_errors
