"""The permission matrix: role × endpoint × own / other unit, as one table.

Every order here belongs to station A (城关派出所). "own" is station A's officer and head, "other"
is station B's; the outsider is an officer of a department. 404 means the user may not see the
order (its existence is not revealed); 403 means they see it but may not act.
"""

import pytest

from tests.conftest import after_the_deadline
from tickets import services

pytestmark = pytest.mark.django_db

ACTORS = ["dispatcher", "supervisor", "reviewer", "officer_a", "head_a", "officer_b", "head_b", "outsider"]


def _row(d, s, r, oa, ha, ob, hb, x):
    return dict(zip(ACTORS, (d, s, r, oa, ha, ob, hb, x), strict=True))


def _pending_extension(order, cast):
    until = after_the_deadline(order)
    services.order_request_extension(order=order, acting_user=cast["officer_a"], reason="需走访", requested_until=until)
    return order


# endpoint: (method, path suffix, order state, body(cast) -> dict, extra setup, expected per actor)
MATRIX = {
    "list": ("get", None, "dispatched", None, None, _row(200, 200, 200, 200, 200, 200, 200, 200)),
    "intake": ("post", None, None, "intake", None, _row(201, 403, 403, 403, 403, 403, 403, 403)),
    "detail": ("get", "", "dispatched", None, None, _row(200, 200, 404, 200, 200, 404, 404, 404)),
    "detail_reported": ("get", "", "reported", None, None, _row(200, 200, 200, 200, 200, 404, 404, 404)),
    "events": ("get", "events/", "dispatched", None, None, _row(200, 200, 404, 200, 200, 404, 404, 404)),
    "dispatch": (
        "post", "dispatch/", "received", lambda c: {"unit": c["station_a"].pk}, None,
        _row(200, 403, 404, 404, 404, 404, 404, 404),
    ),
    "redispatch": (
        "post", "redispatch/", "dispatched", lambda c: {"unit": c["station_b"].pk}, None,
        _row(200, 403, 404, 403, 403, 404, 404, 404),
    ),
    "contact": (
        "post", "contact/", "dispatched", lambda c: {"method": "phone", "note": "已联系"}, None,
        _row(403, 403, 404, 200, 200, 404, 404, 404),
    ),
    "report": (
        "post", "report/", "contacted", lambda c: {"outcome": "resolved", "text": "已解决"}, None,
        _row(403, 403, 404, 200, 200, 404, 404, 404),
    ),
    "approve": ("post", "approve/", "reported", lambda c: {}, None, _row(403, 403, 200, 403, 403, 404, 404, 404)),
    "return": (
        "post", "return/", "reported", lambda c: {"reason": "请补充"}, None,
        _row(403, 403, 200, 403, 403, 404, 404, 404),
    ),
    "callback": (
        "post", "callback/", "approved", lambda c: {"satisfaction": "satisfied"}, None,
        _row(200, 403, 403, 403, 403, 404, 404, 404),
    ),
    "close": ("post", "close/", "callback_done", lambda c: {}, None, _row(200, 403, 403, 403, 403, 404, 404, 404)),
    "reopen": (
        "post", "reopen/", "callback_unsatisfied", lambda c: {"reason": "不满意"}, None,
        _row(200, 200, 403, 403, 403, 404, 404, 404),
    ),
    "send_back": (
        "post", "send-back/", "dispatched", lambda c: {"reason": "不属本所"}, None,
        _row(403, 403, 404, 200, 200, 404, 404, 404),
    ),
    "reject_objection": (
        "post", "reject-objection/", "sent_back", lambda c: {"reason": "属本所"}, None,
        _row(200, 403, 404, 403, 403, 404, 404, 404),
    ),
    "merge": (
        "post", "merge/", "received", lambda c: {"primary": c["primary"].pk}, None,
        _row(200, 403, 404, 404, 404, 404, 404, 404),
    ),
    "request_extension": (
        "post", "request-extension/", "contacted",
        lambda c: {"reason": "需走访", "requested_until": after_the_deadline(c["order"]).isoformat()},
        None,
        _row(403, 403, 404, 200, 200, 404, 404, 404),
    ),
    "decide_extension": (
        "post", "decide-extension/", "contacted", lambda c: {"approve": True}, _pending_extension,
        _row(200, 403, 404, 403, 403, 404, 404, 404),
    ),
    "assign": (
        "post", "assign/", "dispatched", lambda c: {"officer": c["officer_a"].pk}, None,
        _row(403, 403, 404, 403, 200, 404, 404, 404),
    ),
}

CASES = [(endpoint, actor) for endpoint in MATRIX for actor in ACTORS]


@pytest.fixture
def cast(dispatcher, supervisor, reviewer, officer_a, head_a, officer_b, head_b, outsider, station_a, station_b):
    return {
        "dispatcher": dispatcher,
        "supervisor": supervisor,
        "reviewer": reviewer,
        "officer_a": officer_a,
        "head_a": head_a,
        "officer_b": officer_b,
        "head_b": head_b,
        "outsider": outsider,
        "station_a": station_a,
        "station_b": station_b,
    }


@pytest.mark.parametrize(("endpoint", "actor"), CASES, ids=[f"{e}-{a}" for e, a in CASES])
def test_permission_matrix(endpoint, actor, api, cast, order_in, topic):
    method, suffix, state, body, setup, expected = MATRIX[endpoint]
    order = None
    if state == "callback_unsatisfied":
        order = order_in("callback_done", satisfaction="unsatisfied")
    elif state is not None:
        order = order_in(state)
    if setup:
        setup(order, cast)
    cast["order"] = order
    if endpoint == "merge":
        cast["primary"] = order_in("dispatched")
    if body == "intake":
        payload = {
            "channel": "12345", "caller_name": "王女士", "caller_phone": "13812345678", "content": "噪音扰民",
            "nature": "complaint", "handling_type": "service", "topic": topic.pk,
        }
    else:
        payload = body(cast) if body else None
    path = "/api/v1/orders/" if suffix is None else f"/api/v1/orders/{order.pk}/{suffix}"
    client = api(cast[actor])
    response = client.get(path) if method == "get" else client.post(path, payload, format="json")
    assert response.status_code == expected[actor], response.json()
