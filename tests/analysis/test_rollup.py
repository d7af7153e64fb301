"""The daily roll-up gives the very figures of the direct count (analysis/rollup.py).

Random orders in every state, with callbacks and returns, are counted directly (no roll-up), then
with the roll-up filled to several boundaries, filled in steps, filled twice, rebuilt: every
figure, every trend point and every breakdown must be identical. And on a moving clock, orders
that change after a fill (closed, reopened, re-dispatched, extended) are still counted exactly.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict
from unittest import mock

import pytest
from django.core.management import call_command

from analysis.models import RollupState, UnitDayBreakdown, UnitDayCount, UnitDayFeedback
from analysis.periods import Period, last_weeks, local_midnight
from analysis.rollup import rollup_check, rollup_fill, rollup_rebuild, rollup_refresh, rollup_target
from analysis.stats import FEEDBACK_FIELDS, breakdowns, figures_by_unit, touched_days, weekly_trend
from stations.models import UnitKind
from tests.analysis.conftest import GENERATED_AT, TZ, WEEK_END, WEEK_START, at, local
from tests.factories import TopicFactory, UnitFactory
from tickets.models import (
    Callback,
    Channel,
    HandlingType,
    Outcome,
    Report,
    Review,
    ReviewDecision,
    Satisfaction,
    Status,
    WorkOrder,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def read_the_rollup_however_small(settings):
    settings.HOTLINE_ROLLUP_MIN_ORDERS = 0

START = dt.datetime(2026, 9, 1, tzinfo=TZ)
DAYS = 60
NOW = START + dt.timedelta(days=DAYS + 5)


def _figures(period, cutoff, unit_ids=None):
    return {unit: asdict(f) for unit, f in figures_by_unit(period, cutoff, unit_ids).items()}


def _trend(weeks, cutoff, unit_id=None):
    return [
        (p.week.start, asdict(p.bureau), asdict(p.unit) if p.unit else None)
        for p in weekly_trend(weeks, cutoff, unit_id=unit_id)
    ]


def _same(a, b):
    """Equal, the summed handling minutes up to float rounding (sums in another order)."""
    assert a.keys() == b.keys()
    for key in a:
        x, y = dict(a[key]), dict(b[key])
        assert x.pop("handling_minutes_total") == pytest.approx(y.pop("handling_minutes_total"), rel=1e-12)
        assert x == y, key


def _random_orders(seed: int, units, topics, people, count: int = 400) -> None:
    rng = random.Random(seed)
    orders, callbacks, reviews = [], [], []

    def moment(after, hours):
        return after + dt.timedelta(minutes=rng.randint(0, int(hours * 60)))

    statuses = [s for s in Status.values if s != Status.MERGED]
    for n in range(count):
        received = START + dt.timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
        status = rng.choice(statuses + [Status.CLOSED] * 6)
        unit = None if status == Status.RECEIVED else rng.choice(units)
        o = WorkOrder(
            number=f"RT{seed:02d}{n:06d}",
            channel=rng.choice(Channel.values),
            received_at=received,
            caller_name="王女士",
            caller_phone=f"138{rng.randint(0, 99999999):08d}",
            address="城关街道幸福小区",
            content="噪音。",
            nature="complaint",
            handling_type=rng.choice(HandlingType.values),
            topic=rng.choice(topics),
            status=status,
            unit=unit,
        )
        if unit is not None:
            o.dispatched_at = moment(received, 1)
            o.contact_deadline = o.dispatched_at + dt.timedelta(hours=1)
            o.handling_deadline = moment(o.dispatched_at, rng.choice([4, 30, 24 * 20]))
            if rng.random() < 0.85:
                o.contacted_at = moment(o.dispatched_at, 2)
            if status in (Status.REPORTED, Status.RETURNED, Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED):
                o.reported_at = moment(o.contacted_at or o.dispatched_at, 48)
                o.outcome = rng.choice(Outcome.values)
            reviewed = status in (Status.RETURNED, Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED)
            if (reviewed or rng.random() < 0.1) and o.reported_at and rng.random() < 0.95:
                o.reviewed_at = moment(o.reported_at, 10)
                o.handling_minutes = None if rng.random() < 0.1 else round(rng.random() * 900, 1)
            if status in (Status.CALLBACK_DONE, Status.CLOSED) and o.reviewed_at:
                o.callback_at = moment(o.reviewed_at, 30)
                o.satisfaction = rng.choice(Satisfaction.values)
            if status == Status.CLOSED:
                o.closed_at = moment(o.callback_at or o.reported_at or o.dispatched_at, 40)
        orders.append(o)
    WorkOrder.objects.bulk_create(orders)
    # Merged duplicates (they close with their primary: status closed, merged_into set).
    for o in rng.sample(orders, 30):
        primary = rng.choice(orders)
        if primary.pk != o.pk and o.unit_id is not None:
            o.merged_into = primary
            if rng.random() < 0.5:
                o.status = Status.MERGED
    WorkOrder.objects.bulk_update(orders, ["merged_into", "status"])
    for o in orders:
        if o.reported_at is None:
            continue
        report = Report.objects.create(order=o, author=people["officer"], outcome=o.outcome or "resolved", cycle=1)
        if rng.random() < 0.3:
            reviews.append(
                Review(order=o, report=report, reviewer=people["reviewer"], decision=ReviewDecision.RETURNED)
            )
            reviews[-1].created_at = moment(o.reported_at, 5)
        if o.callback_at:
            for extra in range(rng.randint(1, 2)):
                # callback_at is the latest callback (stats.callbacks_in relies on it).
                when = o.callback_at - dt.timedelta(hours=extra * rng.randint(0, 30))
                callbacks.append(
                    Callback(
                        order=o, caller=people["dispatcher"], satisfaction=rng.choice(Satisfaction.values), cycle=1
                    )
                )
                callbacks[-1].created_at = when
    for model, rows in ((Review, reviews), (Callback, callbacks)):
        moments = [r.created_at for r in rows]
        model.objects.bulk_create(rows)
        for row, when in zip(rows, moments, strict=True):
            row.created_at = when
        model.objects.bulk_update(rows, ["created_at"])


@pytest.fixture
def random_data(dispatcher, reviewer, officer_a, station_a, station_b):
    department = UnitFactory(name="治安大队", code="public-order", kind=UnitKind.DEPARTMENT)
    topics = [TopicFactory(code="noise", name="噪音扰民"), TopicFactory(code="traffic", name="交通秩序")]
    people = {"dispatcher": dispatcher, "reviewer": reviewer, "officer": officer_a}
    _random_orders(7, [station_a, station_b, department], topics, people)
    return [station_a, station_b, department]


PERIODS = [
    Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31)),
    Period(dt.date(2026, 9, 14), dt.date(2026, 9, 20)),
    Period(dt.date(2026, 10, 5), dt.date(2026, 10, 11)),
    Period(dt.date(2026, 10, 20), dt.date(2026, 11, 3)),
    Period(dt.date(2026, 1, 1), dt.date(2026, 11, 4)),
]


def _everything(units):
    cutoffs = [NOW, local_midnight(dt.date(2026, 10, 25)) + dt.timedelta(hours=9)]
    result = {}
    for period in PERIODS:
        for cutoff in cutoffs:
            result[("figures", period, cutoff)] = _figures(period, cutoff)
            result[("one unit", period, cutoff)] = _figures(period, cutoff, [units[0].pk])
        result[("breakdowns", period)] = breakdowns(period)
        result[("unit breakdowns", period)] = breakdowns(period, units[1].pk)
    weeks = last_weeks(12, NOW)
    result["trend"] = _trend(weeks, NOW)
    result["unit trend"] = _trend(weeks, NOW, units[0].pk)
    return result


def _assert_same(direct, rolled):
    assert direct.keys() == rolled.keys()
    for key in direct:
        if key[0] in ("figures", "one unit"):
            _same(direct[key], rolled[key])
        elif key in ("trend", "unit trend"):
            for (w1, b1, u1), (w2, b2, u2) in zip(direct[key], rolled[key], strict=True):
                assert w1 == w2
                _same({"b": b1}, {"b": b2})
                if u1 is not None:
                    _same({"u": u1}, {"u": u2})
        else:
            assert direct[key] == rolled[key], key


@pytest.mark.parametrize(
    "day", [dt.date(2026, 9, 1), dt.date(2026, 9, 20), dt.date(2026, 10, 12), dt.date(2026, 11, 5)]
)
def test_rolled_up_figures_equal_the_direct_count(random_data, day):
    direct = _everything(random_data)
    state = rollup_rebuild(until=local_midnight(day), now=NOW)
    assert (
        state.orders
        == WorkOrder.objects.filter(unit__isnull=False, merged_into__isnull=True)
        .filter(
            status=Status.CLOSED,
            closed_at__lt=state.settled_before,
            handling_deadline__lt=state.settled_before,
            contact_deadline__lt=state.settled_before,
        )
        .count()
    )
    if day > dt.date(2026, 9, 1):
        assert state.orders > 0
    _assert_same(direct, _everything(random_data))


def _count_rows():
    rows = {}
    for row in UnitDayCount.objects.values():
        row.pop("id")
        rows[(row.pop("unit_id"), row.pop("day"))] = row
    return rows


def test_filling_in_steps_equals_one_fill(random_data):
    for day in (dt.date(2026, 9, 10), dt.date(2026, 9, 11), dt.date(2026, 10, 1), dt.date(2026, 11, 2)):
        rollup_fill(until=local_midnight(day), now=NOW)
    stepped = _count_rows()
    stepped_breakdowns = sorted(UnitDayBreakdown.objects.values_list("unit_id", "day", "dimension", "key", "orders"))
    stepped_feedback = sorted(UnitDayFeedback.objects.values_list("unit_id", "day", *FEEDBACK_FIELDS))
    rollup_rebuild(until=local_midnight(dt.date(2026, 11, 2)), now=NOW)
    _same(stepped, _count_rows())
    assert stepped_feedback == sorted(UnitDayFeedback.objects.values_list("unit_id", "day", *FEEDBACK_FIELDS))
    assert stepped_breakdowns == sorted(
        UnitDayBreakdown.objects.values_list("unit_id", "day", "dimension", "key", "orders")
    )


def test_filling_twice_changes_nothing(random_data):
    first = rollup_fill(until=local_midnight(dt.date(2026, 10, 1)), now=NOW)
    rows = sorted(UnitDayCount.objects.values_list("unit_id", "day", "received", "due", "closed"))
    feedback = sorted(UnitDayFeedback.objects.values_list("unit_id", "day", "callbacks", "returned"))
    second = rollup_fill(until=local_midnight(dt.date(2026, 10, 1)), now=NOW)
    assert second.orders == first.orders
    assert rows == sorted(UnitDayCount.objects.values_list("unit_id", "day", "received", "due", "closed"))
    assert feedback == sorted(UnitDayFeedback.objects.values_list("unit_id", "day", "callbacks", "returned"))
    # An older boundary does not move it back either.
    assert rollup_fill(until=local_midnight(dt.date(2026, 9, 20)), now=NOW).settled_before == first.settled_before


def test_check_finds_an_order_the_fill_missed_and_refresh_rebuilds(random_data):
    rollup_fill(until=local_midnight(dt.date(2026, 10, 1)), now=NOW)
    held, actual = rollup_check()
    assert held == actual
    # A closing committed after the fill read past its boundary (or rows loaded by hand).
    missed = (
        WorkOrder.objects.filter(unit__isnull=False, merged_into__isnull=True).exclude(status=Status.CLOSED).first()
    )
    WorkOrder.objects.filter(pk=missed.pk).update(
        status=Status.CLOSED,
        closed_at=local(3, 10, month=9),
        handling_deadline=local(2, 10, month=9),
        contact_deadline=local(1, 10, month=9),
    )
    held, actual = rollup_check()
    assert actual == held + 1
    state = rollup_refresh(now=local_midnight(dt.date(2026, 10, 2)) + dt.timedelta(hours=1))
    assert state.settled_before == local_midnight(dt.date(2026, 10, 2))
    assert rollup_check()[0] == rollup_check()[1]


def test_a_cutoff_before_the_boundary_is_counted_live(random_data):
    period = Period(dt.date(2026, 9, 14), dt.date(2026, 9, 20))
    early = local_midnight(dt.date(2026, 9, 18))
    direct = _figures(period, early)
    rollup_rebuild(until=local_midnight(dt.date(2026, 10, 1)), now=NOW)
    _same(direct, _figures(period, early))


def test_target_waits_for_the_lag_after_midnight(settings):
    settings.HOTLINE_ROLLUP_LAG_MINUTES = 15
    assert rollup_target(dt.datetime(2026, 11, 24, 0, 10, tzinfo=TZ)) == local_midnight(dt.date(2026, 11, 23))
    assert rollup_target(dt.datetime(2026, 11, 24, 0, 20, tzinfo=TZ)) == local_midnight(dt.date(2026, 11, 24))


def test_command_rebuilds_and_checks(random_data, capsys):
    call_command("analysis_rollup", "--rebuild")
    assert RollupState.objects.get().orders > 0
    call_command("analysis_rollup", "--check")
    assert "held" in capsys.readouterr().out


# --- on a moving clock: orders that change after the fill ------------------------------------


def test_the_fixed_week_is_exact_with_the_roll_up_filled_mid_week(week, station_a, station_b):
    """The hand-computed week, with the roll-up filled at each midnight as beat would."""
    period = Period(WEEK_START, WEEK_END)
    direct = _figures(period, GENERATED_AT)
    direct_trend = _trend(last_weeks(12, GENERATED_AT), GENERATED_AT, station_a.pk)
    direct_breakdowns = breakdowns(period)
    for day in range(16, 24):
        with at(local(day, 0, 30)):
            rollup_refresh()
    assert RollupState.objects.get().settled_before == local(23, 0)
    assert RollupState.objects.get().orders > 0
    _same(direct, _figures(period, GENERATED_AT))
    assert _trend(last_weeks(12, GENERATED_AT), GENERATED_AT, station_a.pk) == direct_trend
    assert breakdowns(period) == direct_breakdowns


def test_orders_that_change_after_the_fill_are_counted_live(week, station_a, station_b, officer_a):
    with at(local(23, 0, 30)):
        rollup_refresh()
    # After the fill: o2 (called back unsatisfied) is reopened, o8 re-dispatched to B, o4 reported:
    # every change is on an order the roll-up does not hold (none of them was closed).
    week["o2"].reopen(local(23, 9))
    week["o8"].redispatch(local(23, 9, 30), station_b)
    week["o4"].report(local(23, 10), officer_a)
    later = local(23, 12)
    period = Period(WEEK_START, WEEK_END)
    rolled = _figures(period, later)
    RollupState.objects.all().delete()
    _same(_figures(period, later), rolled)


def test_a_redispatch_after_the_fill_moves_a_return_counted_live_then_refilled(week, station_a, station_b, officer_a):
    """A return made on Tuesday, rolled up for A; on Thursday after the fill the order is re-dispatched
    to B: Tuesday is touched, counted live (the return is B's now), and the next fill fills it again."""
    c = week["o1"].cast
    walk = (
        c.receive(local(24, 9))
        .dispatch(local(24, 9, 10), station_a)
        .contact(local(24, 9, 20), officer_a)
        .report(local(24, 10), officer_a)
        .give_back(local(24, 11))
    )
    period = Period(dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    with at(local(26, 0, 30)):
        rollup_refresh()
    assert UnitDayFeedback.objects.get(unit=station_a, day=dt.date(2026, 11, 24)).returned == 1
    walk.redispatch(local(26, 9), station_b)
    moment = local(26, 10)
    assert touched_days(local(26, 0)) == {dt.date(2026, 11, 24)}
    rolled = _figures(period, moment)
    assert rolled[station_b.pk]["returned"] == 1
    assert rolled.get(station_a.pk, {}).get("returned", 0) == 0
    RollupState.objects.all().delete()
    _same(_figures(period, moment), rolled)
    with at(local(26, 0, 30)):
        rollup_rebuild()
    with at(local(27, 0, 30)):
        rollup_refresh()
    assert UnitDayFeedback.objects.get(unit=station_b, day=dt.date(2026, 11, 24)).returned == 1
    assert not UnitDayFeedback.objects.filter(unit=station_a, day=dt.date(2026, 11, 24), returned__gt=0).exists()
    later = local(27, 10)
    rolled, rolled_trend = _figures(period, later), _trend(last_weeks(2, later), later, station_b.pk)
    RollupState.objects.all().delete()
    _same(_figures(period, later), rolled)
    assert _trend(last_weeks(2, later), later, station_b.pk) == rolled_trend


def test_a_small_rollup_is_not_read(random_data, settings):
    settings.HOTLINE_ROLLUP_MIN_ORDERS = 10**9
    rollup_rebuild(until=local_midnight(dt.date(2026, 10, 12)), now=NOW)
    assert RollupState.objects.get().orders > 0
    with mock.patch("analysis.stats.rolled_up_counts") as rolled:
        figures_by_unit(PERIODS[0], NOW)
    rolled.assert_not_called()
