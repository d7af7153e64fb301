"""The escalation ladder (升级阶梯): the default reproduces today's rules; the new steps run on the
working calendar, fire once, and write into the order's timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stations.models import Role
from supervision.ladder import EVENT_ACTION
from supervision.models import (
    EscalationLevel,
    InboxItem,
    LadderAction,
    LadderBasis,
    LadderBuiltin,
    LadderClock,
    LevelFiring,
    NoticeKind,
)
from tests.factories import UnitFactory, UserFactory
from tickets import services
from tickets.models import OrderEvent, Outcome
from tickets.workcalendar import WorkCalendar

from .conftest import at

pytestmark = pytest.mark.django_db


def level(action: str) -> EscalationLevel:
    """A step of the default ladder (created by migration 0009), switched on."""
    step = EscalationLevel.objects.get(clock=LadderClock.HANDLING, action=action, builtin="")
    step.enabled = True
    step.save()
    return step


def ladder_events(order):
    return OrderEvent.objects.filter(order=order, action=EVENT_ACTION)


@pytest.fixture
def parent_unit(station_a):
    parent = UnitFactory(name="城关分局", code="chengguan-branch")
    station_a.parent = parent
    station_a.save()
    return parent


@pytest.fixture
def parent_head(parent_unit):
    return UserFactory(username="parent_head", unit=parent_unit, role=Role.UNIT_HEAD)


# --- the default ladder ---


def test_the_default_ladder_names_todays_rules_and_leaves_the_new_steps_off():
    builtins = set(EscalationLevel.objects.exclude(builtin="").values_list("builtin", flat=True))
    assert builtins == set(LadderBuiltin.values)
    assert EscalationLevel.objects.filter(builtin="", enabled=True).count() == 0
    assert set(EscalationLevel.objects.filter(builtin="").values_list("action", flat=True)) == {
        LadderAction.ESCALATE_PARENT,
        LadderAction.DAILY_REMINDER,
    }


def test_a_disabled_level_fires_nothing(clock, make_dispatched, parent_head, sweep):
    order = make_dispatched()
    clock.move_to(at(2026, 11, 27, 10, 0))
    sweep()
    assert not LevelFiring.objects.exists()
    assert not ladder_events(order).exists()


# --- escalate to the parent unit ---


def test_an_enabled_escalate_parent_level_tells_the_parent_unit_once(
    clock, make_dispatched, parent_head, supervisor, sweep
):
    level(LadderAction.ESCALATE_PARENT)
    make_dispatched()  # handling deadline Tue 09:00; the step one working day later
    clock.move_to(at(2026, 11, 26, 10, 0))
    sweep()
    sweep()
    assert InboxItem.objects.filter(user=parent_head).count() == 1
    assert InboxItem.objects.filter(user=supervisor, notification__category="ladder_escalate_parent").count() == 1
    assert LevelFiring.objects.get().due_at == at(2026, 11, 25, 9, 0)


def test_the_escalation_is_written_into_the_order_timeline(clock, make_dispatched, parent_head, sweep):
    step = level(LadderAction.ESCALATE_PARENT)
    order = make_dispatched()
    clock.move_to(at(2026, 11, 26, 10, 0))
    sweep()
    event = ladder_events(order).get()
    assert event.note.startswith(f"升级提醒：第{step.position}级 {step.name}")
    assert "城关分局" in event.note
    assert event.payload["level"] == step.pk


def test_escalation_waits_for_its_working_time_offset(clock, make_dispatched, parent_head, sweep):
    level(LadderAction.ESCALATE_PARENT)
    make_dispatched()
    clock.move_to(at(2026, 11, 25, 8, 59))  # one working day after the deadline less a minute
    sweep()
    assert not LevelFiring.objects.exists()
    clock.move_to(at(2026, 11, 25, 9, 1))
    sweep()
    assert LevelFiring.objects.count() == 1


def test_an_order_reported_in_time_is_not_escalated(clock, make_dispatched, officer_a, parent_head, sweep):
    level(LadderAction.ESCALATE_PARENT)
    order = make_dispatched()
    order = services.order_contact(order=order, acting_user=officer_a, method="phone", note="已电话联系")
    services.order_report(order=order, acting_user=officer_a, text="已处理", outcome=Outcome.RESOLVED)
    clock.move_to(at(2026, 11, 27, 10, 0))
    sweep()
    assert not LevelFiring.objects.exists()


# --- the daily reminder ---


def daily_firings(order):
    return LevelFiring.objects.filter(order=order, level__action=LadderAction.DAILY_REMINDER)


def test_the_daily_reminder_fires_once_per_working_morning_while_overdue(clock, make_dispatched, sweep):
    level(LadderAction.DAILY_REMINDER)
    order = make_dispatched()  # overdue from Tue 09:00
    clock.move_to(at(2026, 11, 25, 9, 30))
    sweep()
    sweep()
    clock.move_to(at(2026, 11, 25, 16, 0))
    sweep()
    assert list(daily_firings(order).values_list("occurrence", flat=True)) == [20261125]
    clock.move_to(at(2026, 11, 26, 9, 5))
    sweep()
    assert daily_firings(order).count() == 2
    assert ladder_events(order).count() == 2


def test_the_daily_reminder_waits_for_the_morning_after_the_order_fell_overdue(clock, make_dispatched, sweep):
    level(LadderAction.DAILY_REMINDER)
    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 10, 0))  # overdue since 09:00 today: the overdue rule tells it
    sweep()
    clock.move_to(at(2026, 11, 25, 8, 59))  # next working day, before the reminder time
    sweep()
    assert not daily_firings(order).exists()


def test_the_daily_reminder_skips_the_weekend(clock, make_dispatched, sweep):
    level(LadderAction.DAILY_REMINDER)
    order = make_dispatched()
    for day in (28, 29):  # Saturday, Sunday
        clock.move_to(at(2026, 11, day, 10, 0))
        sweep()
    assert not daily_firings(order).exists()
    clock.move_to(at(2026, 11, 30, 9, 0))
    sweep()
    assert list(daily_firings(order).values_list("occurrence", flat=True)) == [20261130]


def test_the_daily_reminder_follows_the_holidays_and_make_up_days(clock, make_dispatched, sweep):
    level(LadderAction.DAILY_REMINDER)
    clock.move_to(at(2026, 9, 28, 9, 0))
    order = make_dispatched()  # overdue from Tue 09-29 09:00
    clock.move_to(at(2026, 10, 1, 10, 0))  # 国庆 holiday, a Thursday
    sweep()
    assert not daily_firings(order).exists()
    clock.move_to(at(2026, 10, 10, 10, 0))  # a make-up working Saturday
    sweep()
    assert list(daily_firings(order).values_list("occurrence", flat=True)) == [20261010]


def test_the_daily_reminder_stops_once_the_order_is_reported(clock, make_dispatched, officer_a, sweep):
    level(LadderAction.DAILY_REMINDER)
    order = make_dispatched()
    clock.move_to(at(2026, 11, 25, 9, 30))
    sweep()
    order = services.order_contact(order=order, acting_user=officer_a, method="phone", note="已电话联系")
    services.order_report(order=order, acting_user=officer_a, text="已处理", outcome=Outcome.RESOLVED)
    clock.move_to(at(2026, 11, 26, 9, 30))
    sweep()
    assert daily_firings(order).count() == 1


# --- other steps ---


def test_a_step_before_the_deadline_warns_the_officer_on_working_time(clock, make_dispatched, officer_a, sweep):
    step = EscalationLevel.objects.create(
        position=9,
        name="到期前一小时提醒民警",
        clock=LadderClock.HANDLING,
        offset_minutes=-60,
        basis=LadderBasis.WORKING,
        action=LadderAction.WARN_OFFICER,
    )
    order = make_dispatched()  # deadline Tue 09:00: an hour of working time earlier is Mon 17:00
    clock.move_to(at(2026, 11, 23, 16, 59))
    sweep()
    assert not LevelFiring.objects.exists()
    clock.move_to(at(2026, 11, 23, 17, 0))
    sweep()
    assert LevelFiring.objects.get(level=step).order == order
    assert InboxItem.objects.filter(user=officer_a, notification__category="ladder_warn_officer").count() == 1


def test_a_supervision_notice_step_raises_one_notice(clock, make_dispatched, sweep):
    step = EscalationLevel.objects.create(
        position=9,
        name="超期两小时再次督办",
        clock=LadderClock.HANDLING,
        offset_minutes=120,
        basis=LadderBasis.WALL,
        action=LadderAction.SUPERVISION_NOTICE,
    )
    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 11, 30))
    sweep()
    sweep()
    firing = LevelFiring.objects.get(level=step)
    assert firing.raised.kind == NoticeKind.SUPERVISION
    assert firing.raised.orders.get() == order
    assert firing.raised.number in ladder_events(order).get().note


def test_working_time_runs_backwards_across_the_night():
    calendar = WorkCalendar()
    assert calendar.subtract_working_minutes(at(2026, 11, 24, 9, 0), 60) == at(2026, 11, 23, 17, 0)
    assert calendar.subtract_working_minutes(at(2026, 11, 23, 20, 0), 60) == at(2026, 11, 23, 16, 30)


# --- validation ---


def test_a_daily_reminder_needs_its_time():
    step = EscalationLevel(name="x", clock=LadderClock.HANDLING, action=LadderAction.DAILY_REMINDER)
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert "reminder_time" in caught.value.message_dict


def test_an_offset_beyond_thirty_days_is_refused():
    step = EscalationLevel(
        name="x", clock=LadderClock.HANDLING, action=LadderAction.WARN_HEAD, offset_minutes=30 * 24 * 60 + 1
    )
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert "offset_minutes" in caught.value.message_dict


def test_a_daily_reminder_cannot_start_before_the_deadline():
    step = EscalationLevel(
        name="x",
        clock=LadderClock.HANDLING,
        action=LadderAction.DAILY_REMINDER,
        reminder_time=dt.time(9, 0),
        offset_minutes=-30,
    )
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert "offset_minutes" in caught.value.message_dict


# --- admin ---


@pytest.fixture
def admin_client(client):
    root = UserFactory(username="root", unit=None, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def test_the_ladder_is_listed_in_the_admin_with_its_timing(admin_client):
    page = admin_client.get(reverse("admin:supervision_escalationlevel_changelist"))
    assert page.status_code == 200
    assert "时限后450分钟（工作时间）" in page.content.decode()


def test_a_builtin_level_cannot_be_changed_in_the_admin(admin_client):
    builtin = EscalationLevel.objects.get(builtin=LadderBuiltin.OVERDUE)
    page = admin_client.get(reverse("admin:supervision_escalationlevel_change", args=[builtin.pk]))
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    assert 'name="name"' in page.content.decode()


def test_the_admin_refuses_a_daily_reminder_without_its_time(admin_client):
    data = {
        "clock": LadderClock.HANDLING,
        "position": 5,
        "name": "每日提醒",
        "enabled": "on",
        "offset_minutes": 0,
        "basis": LadderBasis.WORKING,
        "reminder_time": "",
        "action": LadderAction.DAILY_REMINDER,
    }
    page = admin_client.post(reverse("admin:supervision_escalationlevel_add"), data)
    assert page.status_code == 200
    assert "每日提醒须填写提醒时间" in page.content.decode()
    assert not EscalationLevel.objects.filter(position=5).exists()


def test_escalating_a_unit_without_a_parent_goes_to_the_command_center(
    clock, make_dispatched, dispatcher, supervisor, sweep
):
    level(LadderAction.ESCALATE_PARENT)
    order = make_dispatched()
    clock.move_to(at(2026, 11, 26, 10, 0))
    sweep()
    assert InboxItem.objects.filter(user=dispatcher, notification__category="ladder_escalate_parent").count() == 1
    assert "指挥中心" in ladder_events(order).get().note


def test_a_notice_response_step_reminds_the_head_once(clock, make_dispatched, head_a, sweep):
    step = EscalationLevel.objects.create(
        position=9,
        name="督办单逾期一小时提醒负责人",
        clock=LadderClock.NOTICE_RESPONSE,
        offset_minutes=60,
        basis=LadderBasis.WALL,
        action=LadderAction.WARN_HEAD,
    )
    order = make_dispatched()
    clock.move_to(at(2026, 11, 24, 9, 30))
    sweep()  # the overdue rule raises a 督办单, to be answered within one working day
    notice = order.notices.get()
    clock.move_to(notice.respond_by + dt.timedelta(minutes=61))
    sweep()
    sweep()
    assert LevelFiring.objects.get(level=step).notice == notice
    assert InboxItem.objects.filter(user=head_a, notification__category="ladder_warn_head").count() == 1
    assert notice.number in ladder_events(order).get().note


def test_a_contact_step_warns_the_head_only_while_nobody_has_called(clock, make_dispatched, officer_a, head_a, sweep):
    step = EscalationLevel.objects.create(
        position=9,
        name="超时30分钟未联系提醒负责人",
        clock=LadderClock.CONTACT,
        offset_minutes=30,
        basis=LadderBasis.WALL,
        action=LadderAction.WARN_HEAD,
    )
    waiting = make_dispatched()
    called = make_dispatched(caller_phone="13900000001", address="青山路1号")
    services.order_contact(order=called, acting_user=officer_a, method="phone", note="已电话联系")
    clock.shift(dt.timedelta(minutes=95))
    sweep()
    sweep()
    assert list(LevelFiring.objects.filter(level=step).values_list("order", flat=True)) == [waiting.pk]
    assert InboxItem.objects.filter(user=head_a, notification__category="ladder_warn_head").count() == 1


def test_an_enabled_level_reads_only_its_window(clock, make_dispatched, sweep, django_assert_max_num_queries):
    level(LadderAction.ESCALATE_PARENT)
    for i in range(5):
        make_dispatched(caller_phone=f"1390000000{i}", address=f"青山路{i}号")
    clock.move_to(at(2026, 11, 24, 10, 0))
    sweep()
    # Nothing new fell due: a constant number of queries, whatever the number of orders (the
    # rules' windows as in test_sweep, the ladder's levels, and this level's cursor, page, advance).
    clock.shift(dt.timedelta(minutes=1))
    with django_assert_max_num_queries(24):
        result = sweep()
    assert result.fired == 0
