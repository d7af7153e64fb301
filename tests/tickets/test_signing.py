"""签收: a unit signs for a dispatched order before or with the contact."""

import pytest

from tickets import services, workflow
from tickets.exceptions import InvalidTransition
from tickets.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db


def test_signing_records_who_and_when_and_keeps_the_status(loop, officer_a):
    order = services.order_sign(order=loop.dispatched(), acting_user=officer_a)
    order.refresh_from_db()
    assert order.status == "dispatched"
    assert order.signed_by == officer_a and order.signed_at is not None
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.action, event.actor) == ("sign", officer_a)


def test_an_order_is_signed_only_once(loop, officer_a):
    order = services.order_sign(order=loop.dispatched(), acting_user=officer_a)
    with pytest.raises(InvalidTransition) as exc:
        services.order_sign(order=order, acting_user=officer_a)
    assert str(exc.value) == "该工单已签收。"


def test_a_signed_order_is_no_longer_offered_the_sign_button(loop, officer_a):
    order = loop.dispatched()
    assert "sign" in [t.action for t in workflow.allowed_actions(order, officer_a)]
    services.order_sign(order=order, acting_user=officer_a)
    order = WorkOrder.objects.get(pk=order.pk)
    assert "sign" not in [t.action for t in workflow.allowed_actions(order, officer_a)]


def test_contact_without_signing_signs_at_the_contact_time(loop, officer_a):
    order = loop.contacted()
    order.refresh_from_db()
    assert order.signed_at == order.contacted_at
    assert order.signed_by == officer_a
    assert OrderEvent.objects.filter(order=order, action="contact").get().payload["implied_sign"] is True


def test_contact_after_signing_keeps_the_signing(loop, officer_a, head_a):
    order = services.order_sign(order=loop.dispatched(), acting_user=head_a)
    signed_at = WorkOrder.objects.get(pk=order.pk).signed_at
    services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系")
    order.refresh_from_db()
    assert (order.signed_at, order.signed_by) == (signed_at, head_a)


def test_redispatch_clears_the_signing_for_the_new_unit(loop, officer_a, dispatcher, officer_b):
    order = services.order_sign(order=loop.dispatched(), acting_user=officer_a)
    services.order_redispatch(order=order, unit=officer_b.unit, acting_user=dispatcher)
    order.refresh_from_db()
    assert order.signed_at is None and order.signed_by is None


def test_the_migration_signs_old_contacted_orders_at_their_contact_time(loop, officer_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tickets.migrations.0007_signed_for")
    contacted, waiting = loop.contacted(), loop.dispatched()
    WorkOrder.objects.update(signed_at=None, signed_by=None)  # as before 签收 existed
    migration.sign_contacted_orders(apps, None)
    contacted.refresh_from_db()
    waiting.refresh_from_db()
    assert (contacted.signed_at, contacted.signed_by) == (contacted.contacted_at, officer_a)
    assert (waiting.signed_at, waiting.signed_by) == (None, None)
