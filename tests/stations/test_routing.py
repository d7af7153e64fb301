import pytest

from stations.models import RoutingRule, UnitKind
from stations.services import routing_suggest
from tests.factories import TopicFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(station_a, station_b):
    fraud = TopicFactory(code="fraud", name="电信诈骗")
    economic = UnitFactory(name="经侦大队", code="economic", kind=UnitKind.DEPARTMENT)
    RoutingRule.objects.create(kind="address", keyword="城关街道", unit=station_a)
    RoutingRule.objects.create(kind="address", keyword="幸福家园小区", unit=station_b)
    RoutingRule.objects.create(kind="topic", topic=fraud, unit=economic, priority=200)
    return {"fraud": fraud, "economic": economic}


def test_address_keyword_suggests_the_station_and_says_why(rules, station_a):
    [suggestion] = routing_suggest(address="城关街道人民路5号")
    assert suggestion.unit == station_a
    assert "城关街道" in suggestion.reason


def test_the_longest_matching_keyword_wins(rules, station_b):
    suggestions = routing_suggest(address="城关街道幸福家园小区3号楼")
    assert suggestions[0].unit == station_b
    assert len(suggestions) == 2


def test_topic_rule_to_a_department_outranks_the_address(rules):
    suggestions = routing_suggest(address="城关街道1号", topic=rules["fraud"])
    assert suggestions[0].unit == rules["economic"]
    assert "电信诈骗" in suggestions[0].reason


def test_no_matching_rule_suggests_nothing(rules):
    assert routing_suggest(address="外县某地") == []


def test_inactive_rules_and_units_are_ignored(rules, station_a):
    station_a.is_active = False
    station_a.save()
    assert routing_suggest(address="城关街道人民路5号") == []
