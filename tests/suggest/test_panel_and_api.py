import pytest

from stations.models import RoutingRule, RoutingRuleKind
from suggest import services

pytestmark = pytest.mark.django_db

FRAUD_TEXT = "有人打电话冒充客服让我转账，被骗了两万元"


@pytest.fixture
def trained(finished_orders, settings, topics, units):
    settings.HOTLINE_SUGGEST_MIN_ORDERS = 200
    finished_orders(220)
    return services.model_train()


@pytest.fixture
def address_rule(units):
    return RoutingRule.objects.create(
        kind=RoutingRuleKind.ADDRESS, keyword="卧龙山路", unit=units["station"], priority=10
    )


def test_a_suggestion_never_overrides_a_rule(trained, address_rule, units):
    free = services.suggest_beside_rules(content=FRAUD_TEXT, rule_unit_ids=[])
    assert free["unit"][0].label == "反诈中心"
    ruled = services.suggest_beside_rules(content=FRAUD_TEXT, rule_unit_ids=[address_rule.unit_id])
    assert ruled["unit"] == []  # the rule's unit stands alone
    assert ruled["topic"][0].label == "电信诈骗"  # topic has no rule: still suggested


def test_the_intake_panel_shows_guesses_beside_the_rule(client, dispatcher, trained, address_rule):
    client.force_login(dispatcher)
    answer = client.get("/dispatch/suggest/", {"address": "卧龙山路8号", "content": FRAUD_TEXT})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "城关派出所" in html  # the rule
    assert "智能建议" in html and "电信诈骗" in html and "%" in html
    assert "反诈中心" not in html  # the model's unit does not compete with the rule
    without_rule = client.get("/dispatch/suggest/", {"address": "别处", "content": FRAUD_TEXT}).content.decode()
    assert "反诈中心" in without_rule


def test_the_panel_without_a_model_shows_only_the_rules(client, dispatcher, topics):
    client.force_login(dispatcher)
    html = client.get("/dispatch/suggest/", {"content": FRAUD_TEXT}).content.decode()
    assert "智能建议" not in html


def test_the_api_answers_the_dispatch_desk(client, dispatcher, trained):
    client.force_login(dispatcher)
    answer = client.get("/api/v1/orders/suggest/", {"content": FRAUD_TEXT})
    assert answer.status_code == 200
    data = answer.json()
    assert data["model_version"] == 1
    assert data["topic"][0]["label"] == "电信诈骗"
    assert 0 < data["topic"][0]["confidence"] <= 1
    assert len(data["unit"]) <= 3 and data["unit"][0]["label"] == "反诈中心"
    assert {g["value"] for g in data["handling_type"]} <= {"consultation", "enforcement", "service"}


def test_the_api_keeps_the_rule_first(client, dispatcher, trained, address_rule):
    client.force_login(dispatcher)
    data = client.get("/api/v1/orders/suggest/", {"content": FRAUD_TEXT, "address": "卧龙山路8号"}).json()
    assert data["rule_units"] == [address_rule.unit_id]
    assert data["unit"] == []


def test_the_api_cold_start_is_empty_not_an_error(client, dispatcher):
    client.force_login(dispatcher)
    data = client.get("/api/v1/orders/suggest/", {"content": FRAUD_TEXT}).json()
    assert data == {"model_version": None, "rule_units": [], "topic": [], "handling_type": [], "unit": []}


def test_the_api_is_for_the_dispatch_desk_only(client, officer_a, trained):
    client.force_login(officer_a)
    assert client.get("/api/v1/orders/suggest/", {"content": FRAUD_TEXT}).status_code == 403
    client.logout()
    assert client.get("/api/v1/orders/suggest/", {"content": FRAUD_TEXT}).status_code in (401, 403)


def test_the_api_needs_content(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get("/api/v1/orders/suggest/").status_code == 400
