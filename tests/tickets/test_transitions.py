"""Every transition of the loop, allowed and forbidden, and who may make it.

The matrix tests read the one table in tickets/workflow.py, so a transition added there is
tested here automatically: from every status it allows it must succeed for a permitted user, from
every other status it must be refused and change nothing.
"""

import pytest

from tests.conftest import after_the_deadline
from tickets import services, workflow
from tickets.exceptions import InvalidTransition, NotPermitted
from tickets.models import OrderEvent, Status, WorkOrder

pytestmark = pytest.mark.django_db

# A permitted actor for each action (the table says which roles; these are the cast's).
ACTOR = {
    "dispatch": "dispatcher",
    "redispatch": "dispatcher",
    "sign": "officer_a",
    "contact": "officer_a",
    "report": "officer_a",
    "approve": "reviewer",
    "return": "reviewer",
    "callback": "dispatcher",
    "close": "dispatcher",
    "reopen": "dispatcher",
    "send_back": "officer_a",
    "reject_objection": "dispatcher",
    "merge": "dispatcher",
    "request_extension": "officer_a",
    "decide_extension": "dispatcher",
    "assign": "head_a",
    "instruct": "dispatcher",
}


def perform(action: str, order: WorkOrder, user, cast, loop):
    """Call the service for `action` with valid input."""
    calls = {
        "dispatch": lambda: services.order_dispatch(order=order, unit=cast["officer_a"].unit, acting_user=user),
        "redispatch": lambda: services.order_redispatch(order=order, unit=cast["officer_b"].unit, acting_user=user),
        "sign": lambda: services.order_sign(order=order, acting_user=user),
        "contact": lambda: services.order_contact(order=order, acting_user=user, method="phone", note="已联系"),
        "report": lambda: services.order_report(order=order, acting_user=user, outcome="resolved", text="已办理"),
        "approve": lambda: services.order_approve(order=order, acting_user=user),
        "return": lambda: services.order_return(order=order, acting_user=user, reason="请补充"),
        "callback": lambda: services.order_callback(order=order, acting_user=user, satisfaction="satisfied"),
        "close": lambda: services.order_close(order=order, acting_user=user),
        "reopen": lambda: services.order_reopen(order=order, acting_user=user, reason="群众不满意"),
        "send_back": lambda: services.order_send_back(order=order, acting_user=user, reason="非本所辖区"),
        "reject_objection": lambda: services.order_reject_objection(order=order, acting_user=user, reason="属本所"),
        "merge": lambda: services.order_merge(order=order, primary=loop.dispatched(), acting_user=user),
        "request_extension": lambda: services.order_request_extension(
            order=order, acting_user=user, reason="需协调", requested_until=after_the_deadline(order)
        ),
        "decide_extension": lambda: services.order_decide_extension(order=order, acting_user=user, approve=True),
        "assign": lambda: services.order_assign(order=order, acting_user=user, officer=cast["officer_a"]),
        "instruct": lambda: services.order_instruct(order=order, acting_user=user, instructor="局长", text="请跟进"),
    }
    return calls[action]()


def prepare(action: str, status: str, loop, cast) -> WorkOrder:
    """An order in `status`, with whatever the action's guard needs."""
    order = loop.in_status(status)
    if action == "reopen" and status == Status.CALLBACK_DONE:
        order = WorkOrder.objects.get(pk=order.pk)
        order.satisfaction = "unsatisfied"
        order.save()
    if action == "decide_extension" and status in (Status.DISPATCHED, Status.CONTACTED, Status.RETURNED):
        services.order_request_extension(
            order=order,
            acting_user=cast["officer_a"],
            reason="需协调",
            requested_until=after_the_deadline(order),
        )
    return WorkOrder.objects.get(pk=order.pk)


ALLOWED = [(a, s) for a, t in workflow.TRANSITIONS.items() for s in sorted(t.sources)]
FORBIDDEN = [(a, s) for a, t in workflow.TRANSITIONS.items() for s in Status.values if s not in t.sources]


@pytest.mark.parametrize(("action", "status"), ALLOWED)
def test_allowed_transition_succeeds_and_writes_one_event(action, status, loop, cast):
    order = prepare(action, status, loop, cast)
    events_before = OrderEvent.objects.filter(order=order).count()
    result = perform(action, order, cast[ACTOR[action]], cast, loop)
    order.refresh_from_db()
    target = workflow.TRANSITIONS[action].target
    if target is not None:
        assert order.status == target
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert OrderEvent.objects.filter(order=order).count() == events_before + 1
    assert (event.action, event.from_status, event.actor) == (action, status, cast[ACTOR[action]])
    assert result is not None


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_forbidden_transition_is_refused_and_changes_nothing(action, status, loop, cast):
    order = prepare(action, status, loop, cast)
    snapshot = WorkOrder.objects.values().get(pk=order.pk)
    events_before = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(InvalidTransition) as exc:
        perform(action, order, cast[ACTOR[action]], cast, loop)
    assert WorkOrder.objects.values().get(pk=order.pk) == snapshot
    assert OrderEvent.objects.filter(order=order).count() == events_before
    assert order.get_status_display() in str(exc.value)


ROLE_OF = {
    "dispatcher": "dispatcher",
    "officer_a": "officer",
    "head_a": "unit_head",
    "officer_b": "officer",
    "reviewer": "reviewer",
    "supervisor": "supervisor",
    "outsider": "officer",
}
IN_ORDER_UNIT = {"officer_a", "head_a"}  # the orders below are dispatched to station A


def permitted(transition, member) -> bool:
    return ROLE_OF[member] in transition.roles and (not transition.own_unit or member in IN_ORDER_UNIT)


ROLE_CASES = [
    (action, member)
    for action, transition in workflow.TRANSITIONS.items()
    for member in ROLE_OF
    if not permitted(transition, member)
]


@pytest.mark.parametrize(("action", "member"), ROLE_CASES)
def test_user_without_the_role_or_unit_is_refused(action, member, loop, cast):
    status = sorted(workflow.TRANSITIONS[action].sources)[0]
    order = prepare(action, status, loop, cast)
    snapshot = WorkOrder.objects.values().get(pk=order.pk)
    with pytest.raises(NotPermitted):
        perform(action, order, cast[member], cast, loop)
    assert WorkOrder.objects.values().get(pk=order.pk) == snapshot


def test_unit_head_may_do_the_unit_work_of_an_officer(loop, cast):
    order = loop.dispatched()
    order = services.order_contact(order=order, acting_user=cast["head_a"], method="in_person", note="上门")
    assert order.status == Status.CONTACTED


def test_supervisor_may_reopen_an_unsatisfied_order(loop, cast):
    order = prepare("reopen", Status.CALLBACK_DONE, loop, cast)
    order = services.order_reopen(order=order, acting_user=cast["supervisor"], reason="领导要求重办")
    assert order.status == Status.DISPATCHED


def test_allowed_actions_offer_exactly_what_the_services_accept(loop, cast):
    order = loop.dispatched()
    offered = {t.action for t in workflow.allowed_actions(order, cast["officer_a"])}
    assert offered == {"sign", "contact", "send_back", "request_extension"}
    assert {t.action for t in workflow.allowed_actions(order, cast["officer_b"])} == set()
    assert {t.action for t in workflow.allowed_actions(order, cast["dispatcher"])} == {
        "redispatch",
        "merge",
        "instruct",
    }
