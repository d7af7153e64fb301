"""Who may see and act on which notice through the API (#11 §3): role × endpoint × own / other unit.

Every notice here is addressed to station A (城关派出所) about one of its orders. Each client
authenticates with an API token of its own user, as a REST client would, and gets what the same
role gets in the browser: 404 for a notice it may not see (its existence is not revealed), 403
for one it sees but may not act on. `admin` is a superuser (role 系统管理员): it sees every
notice, as it sees every order, and acts on none. `staff_b` is station B's officer with Django's
`is_staff` flag (the admin site): as in the orders API, the flag gives nothing — the role and unit
decide.
"""

from __future__ import annotations

from unittest import mock

import pytest
from rest_framework.test import APIClient

from stations.models import Role
from stations.tokens import token_issue
from supervision.models import Notice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/notices/"
ACTORS = [
    "dispatcher", "supervisor", "reviewer", "officer_a", "head_a", "officer_b", "head_b", "outsider", "admin",
    "staff_b",
]


def _row(d, s, r, oa, ha, ob, hb, x, ad, sb):
    return dict(zip(ACTORS, (d, s, r, oa, ha, ob, hb, x, ad, sb), strict=True))


# endpoint: (method, path suffix or None for the collection, order state, notice status, body, expected)
MATRIX = {
    "list": ("get", None, "dispatched", "issued", None, _row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    "detail": ("get", "", "dispatched", "issued", None, _row(200, 200, 404, 200, 200, 404, 404, 404, 200, 404)),
    # A reviewer sees a notice that names an order waiting for its review, and may not act on it.
    "detail_reported": (
        "get", "", "reported", "issued", None, _row(200, 200, 200, 200, 200, 404, 404, 404, 200, 404),
    ),
    "letter": (
        "get", "letter.pdf", "dispatched", "issued", None, _row(200, 200, 404, 200, 200, 404, 404, 404, 200, 404),
    ),
    "sign": ("post", "sign/", "dispatched", "issued", {}, _row(403, 403, 404, 200, 200, 404, 404, 404, 403, 404)),
    "sign_reported": (
        "post", "sign/", "reported", "issued", {}, _row(403, 403, 403, 200, 200, 404, 404, 404, 403, 404),
    ),
    "respond": (
        "post", "respond/", "dispatched", "signed", {"response": "已整改"},
        _row(403, 403, 404, 403, 200, 404, 404, 404, 403, 404),
    ),
    "close": (
        "post", "close/", "dispatched", "responded", {"note": "整改到位"},
        _row(403, 200, 404, 403, 403, 404, 404, 404, 403, 404),
    ),
    "issue": (
        "post", None, "dispatched", None, "issue", _row(403, 201, 403, 403, 403, 403, 403, 403, 403, 403),
    ),
}
CASES = [(endpoint, actor) for endpoint in MATRIX for actor in ACTORS]


@pytest.fixture
def everyone(cast, head_b, station_b):
    return {
        **cast,
        "head_b": head_b,
        "admin": UserFactory(username="admin", role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True),
        "staff_b": UserFactory(username="staff_b", unit=station_b, role=Role.OFFICER, is_staff=True),
    }


def token_client(user) -> APIClient:
    _token, key = token_issue(user=user, name="test")
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def _call(client, method, path, body):
    if method == "get":
        return client.get(path)
    return client.post(path, body, format="json")


@pytest.mark.parametrize(("endpoint", "actor"), CASES, ids=[f"{e}-{a}" for e, a in CASES])
def test_notice_permission_matrix(endpoint, actor, everyone, order_in, notice_for):
    method, suffix, state, notice_status, body, expected = MATRIX[endpoint]
    order = order_in(state)
    notice = notice_for(order, status=notice_status) if notice_status else None
    if body == "issue":
        body = {"order": order.pk, "kind": "supervision", "reason": "超期未办结"}
    path = NOTICES if suffix is None else f"{NOTICES}{notice.pk}/{suffix}"
    with mock.patch("supervision.letters.render_letter_pdf", return_value=b"%PDF-1.7 stub"):
        response = _call(token_client(everyone[actor]), method, path, body)
    assert response.status_code == expected[actor], response.content[:300]
    if response.status_code == 404:
        assert response.json() == {"detail": "未找到。", "code": "not_found"}  # nothing said about the notice
    if response.status_code in (403, 404) and notice is not None:
        assert Notice.objects.get(pk=notice.pk).status == notice_status  # nothing changed


@pytest.mark.parametrize("actor", ACTORS)
def test_the_list_holds_exactly_the_notices_the_detail_opens(actor, everyone, order_in, notice_for, station_b):
    """Station A's notice, station B's notice: the list shows what the detail would answer 200 for."""
    notices = {"a": notice_for(order_in("dispatched")), "b": notice_for(order_in("dispatched", unit=station_b))}
    client = token_client(everyone[actor])
    listed = {row["id"] for row in client.get(NOTICES).json()["results"]}
    opened = {n.pk for n in notices.values() if client.get(f"{NOTICES}{n.pk}/").status_code == 200}
    assert listed == opened
    own_unit = {"officer_a": "a", "head_a": "a", "officer_b": "b", "head_b": "b", "staff_b": "b"}
    if actor in own_unit:
        assert opened == {notices[own_unit[actor]].pk}


def test_the_staff_flag_opens_no_more_notices_than_orders(everyone, order_in, notice_for):
    order = order_in("dispatched")
    notice = notice_for(order)
    client = token_client(everyone["staff_b"])
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert client.get(f"{NOTICES}{notice.pk}/").status_code == 404


ANONYMOUS = [
    ("get", ""), ("get", "{id}/"), ("get", "{id}/letter.pdf"), ("post", ""), ("post", "{id}/sign/"),
    ("post", "{id}/respond/"), ("post", "{id}/close/"),
]


@pytest.mark.parametrize(("method", "suffix"), ANONYMOUS)
def test_anonymous_gets_401_on_every_notice_endpoint(method, suffix, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    response = _call(APIClient(), method, NOTICES + suffix.format(id=notice.pk), {"response": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "suffix"), ANONYMOUS)
def test_a_wrong_token_gets_401_on_every_notice_endpoint(method, suffix, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    client = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = _call(client, method, NOTICES + suffix.format(id=notice.pk), {"response": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_inactive_users_token_opens_nothing(officer_a, order_in, notice_for):
    notice = notice_for(order_in("dispatched"))
    client = token_client(officer_a)
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    assert client.get(f"{NOTICES}{notice.pk}/").status_code == 401


def test_a_replayed_sign_answers_404_once_the_user_may_no_longer_see_the_notice(
    officer_a, order_in, notice_for, station_b
):
    notice = notice_for(order_in("dispatched"))
    client = token_client(officer_a)
    headers = {"Idempotency-Key": "sign-then-moved"}
    assert client.post(f"{NOTICES}{notice.pk}/sign/", format="json", headers=headers).status_code == 200
    Notice.objects.filter(pk=notice.pk).update(unit=station_b)
    assert client.post(f"{NOTICES}{notice.pk}/sign/", format="json", headers=headers).status_code == 404


@pytest.mark.parametrize("suffix", ["", "{id}/", "{id}/letter.pdf"])
def test_notice_endpoints_are_throttled_like_the_others(suffix, settings, officer_a, order_in, notice_for):
    current = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **current, "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], "user": "2/min"}
    }
    notice = notice_for(order_in("dispatched"))
    client = token_client(officer_a)
    path = NOTICES + suffix.format(id=notice.pk)
    with mock.patch("supervision.letters.render_letter_pdf", return_value=b"%PDF-1.7 stub"):
        assert [client.get(path).status_code for _ in range(2)] == [200, 200]
        response = client.get(path)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0


@pytest.mark.parametrize("actor", ACTORS)
def test_each_roles_token_opens_what_the_same_user_opens_in_the_browser(actor, everyone, client, order_in, notice_for):
    from django.urls import reverse

    notice = notice_for(order_in("reported"))
    user = everyone[actor]
    client.force_login(user)
    api = token_client(user)
    with mock.patch("supervision.letters.render_letter_pdf", return_value=b"%PDF-1.7 stub"):
        browser = [
            client.get(reverse("supervision:notice_detail", args=[notice.pk])).status_code,
            client.get(reverse("supervision:notice_pdf", args=[notice.pk])).status_code,
        ]
        answered = [api.get(f"{NOTICES}{notice.pk}/{suffix}").status_code for suffix in ("", "letter.pdf")]
    assert answered == browser
    issue_page = client.get(reverse("supervision:notice_issue")).status_code
    assert (issue_page == 200) == (actor == "supervisor")
