"""Who sees which orders, and what they see of the caller."""

import pytest

from tickets.models import ContactRecord
from tickets.selectors import caller_for, mask_phone, of_visible_orders, orders_visible_to, overdue_orders

pytestmark = pytest.mark.django_db


def test_officer_cannot_see_other_station_order(loop, cast):
    order = loop.dispatched()
    assert order in orders_visible_to(cast["officer_a"])
    assert order not in orders_visible_to(cast["officer_b"])
    assert order not in orders_visible_to(cast["outsider"])


def test_dispatcher_and_supervisor_see_every_order(loop, cast):
    order = loop.dispatched()
    assert order in orders_visible_to(cast["dispatcher"])
    assert order in orders_visible_to(cast["supervisor"])


def test_records_of_orders_follow_the_order_rule(loop, cast):
    mine = loop.contacted()
    records = ContactRecord.objects.all()
    assert list(of_visible_orders(records, cast["officer_a"]).values_list("order", flat=True)) == [mine.pk]
    assert not of_visible_orders(records, cast["officer_b"]).exists()
    assert not of_visible_orders(records, cast["outsider"]).exists()
    assert of_visible_orders(records, cast["dispatcher"]).count() == 1
    # Who sees every order gets the records as they are, without `order_id IN (every order)`.
    assert "tickets_workorder" not in str(of_visible_orders(records, cast["dispatcher"]).query)


def test_reviewer_sees_orders_waiting_for_review_and_those_they_reviewed(loop, cast):
    waiting = loop.reported()
    reviewed = loop.approved()
    untouched = loop.contacted()
    visible = set(orders_visible_to(cast["reviewer"]))
    assert {waiting, reviewed} <= visible
    assert untouched not in visible


def test_phone_is_masked_as_138_stars_5678():
    assert mask_phone("13812345678") == "138****5678"


def test_reviewer_sees_a_masked_phone(loop, cast):
    order = loop.reported()
    assert caller_for(cast["reviewer"], order) == ("王女士", "138****5678")


def test_officer_of_the_unit_sees_the_full_phone(loop, cast):
    order = loop.dispatched()
    assert caller_for(cast["officer_a"], order) == ("王女士", "13812345678")


def test_confidential_caller_is_shown_only_to_the_handling_officer(loop, cast):
    order = loop.contacted(confidential=True)  # officer_a made contact and handles it
    assert caller_for(cast["officer_a"], order) == ("王女士", "13812345678")
    assert caller_for(cast["head_a"], order) == ("王**", "138****5678")
    assert caller_for(cast["supervisor"], order) == ("王**", "138****5678")


def test_overdue_orders_are_those_whose_unit_still_owes_work_past_the_deadline(loop, cast):
    import datetime as dt

    from django.utils import timezone

    late = loop.dispatched()
    done = loop.reported()
    assert set(overdue_orders(timezone.now() + dt.timedelta(days=10))) == {late}
    assert done.status == "reported"
