"""API throttles: per user, per address, and per address for wrong tokens; 429 with a JSON body."""

import pytest
from rest_framework.test import APIClient

from stations.tokens import token_issue

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


@pytest.fixture
def rates(settings):
    """rates(user=…, address=…, failed_token=…): the API's throttle rates for this test."""

    def set_rates(**changed):
        current = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **current,
            "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **changed},
        }

    return set_rates


def as_user(user, address="10.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.force_authenticate(user)
    return client


def test_a_user_over_the_rate_gets_429_with_a_json_error(rates, officer_a):
    rates(user="3/min")
    client = as_user(officer_a)
    assert [client.get(ORDERS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(ORDERS)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert "请求已被限流" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, set by the test: `clock.at(seconds)`."""

    class Clock:
        now = 1_800_000_000.0  # a minute's start: 30,000,000 × 60

        def at(self, seconds: float) -> None:
            self.now = 1_800_000_000.0 + seconds

    fake = Clock()
    monkeypatch.setattr("rest_framework.throttling.SimpleRateThrottle.timer", lambda self: fake.now)
    return fake


def test_a_burst_across_a_window_edge_is_still_throttled(rates, officer_a, clock):
    rates(user="3/min")
    client = as_user(officer_a)
    clock.at(59.0)
    assert [client.get(ORDERS).status_code for _ in range(3)] == [200, 200, 200]
    clock.at(61.0)  # the next minute: three requests two seconds ago still count
    assert client.get(ORDERS).status_code == 429


def test_the_rate_frees_up_as_the_previous_window_slides_out(rates, officer_a, clock):
    rates(user="3/min")
    client = as_user(officer_a)
    clock.at(0.0)
    assert [client.get(ORDERS).status_code for _ in range(3)] == [200, 200, 200]
    clock.at(60.0 + 45.0)  # a quarter of the last minute still lies in the past 60 s
    assert [client.get(ORDERS).status_code for _ in range(2)] == [200, 200]
    assert client.get(ORDERS).status_code == 429


def test_the_user_rate_counts_each_user_apart(rates, officer_a, officer_b):
    rates(user="2/min")
    first = as_user(officer_a)
    first.get(ORDERS)
    first.get(ORDERS)
    assert first.get(ORDERS).status_code == 429
    assert as_user(officer_b).get(ORDERS).status_code == 200


def test_the_address_rate_counts_every_user_of_one_address(rates, officer_a, officer_b):
    rates(address="3/min")
    as_user(officer_a).get(ORDERS)
    as_user(officer_a).get(ORDERS)
    as_user(officer_b).get(ORDERS)
    assert as_user(officer_b).get(ORDERS).status_code == 429
    assert as_user(officer_b, address="10.0.0.2").get(ORDERS).status_code == 200


def test_wrong_tokens_from_one_address_end_in_429(rates, officer_a):
    rates(failed_token="3/min")
    guesser = APIClient(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert [guesser.get(ORDERS).status_code for _ in range(3)] == [401, 401, 401]
    response = guesser.get(ORDERS)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_an_address_blocked_for_wrong_tokens_is_refused_even_a_right_one(rates, officer_a):
    rates(failed_token="2/min")
    _token, key = token_issue(user=officer_a, name="test")
    wrong = APIClient(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Token wrong")
    wrong.get(ORDERS)
    wrong.get(ORDERS)
    right = APIClient(REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION=f"Token {key}")
    assert right.get(ORDERS).status_code == 429
    assert APIClient(REMOTE_ADDR="10.0.0.8", HTTP_AUTHORIZATION=f"Token {key}").get(ORDERS).status_code == 200


def test_the_schema_documents_429_on_every_operation(officer_a):
    schema = as_user(officer_a).get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
