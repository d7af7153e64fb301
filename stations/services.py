"""Routing: which unit should handle a new order."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import RoutingRule, RoutingRuleKind, Unit


@dataclass(frozen=True)
class RoutingSuggestion:
    unit: Unit
    rule: RoutingRule
    reason: str


class RoutingRules:
    """The active routing rules, read once; `suggest()` then matches any number of orders.

    A page that suggests a unit for each of its rows reads the rules once, not once per row.
    """

    def __init__(self, rules: list[RoutingRule]):
        self.rules = rules

    @classmethod
    def load(cls) -> RoutingRules:
        rules = RoutingRule.objects.filter(is_active=True, unit__is_active=True).select_related("unit", "topic")
        return cls(list(rules))

    def suggest(self, *, address: str = "", topic=None) -> list[RoutingSuggestion]:
        address = (address or "").strip()
        topic_id = getattr(topic, "pk", topic)
        matches: list[tuple[tuple[int, int], RoutingRule]] = []
        for rule in self.rules:
            if rule.kind == RoutingRuleKind.ADDRESS and address and rule.keyword in address:
                matches.append(((rule.priority, len(rule.keyword)), rule))
            elif rule.kind == RoutingRuleKind.TOPIC and topic is not None and rule.topic_id == topic_id:
                matches.append(((rule.priority, 0), rule))
        matches.sort(key=lambda m: m[0], reverse=True)
        suggestions: list[RoutingSuggestion] = []
        seen: set[int] = set()
        for _key, rule in matches:
            if rule.unit_id in seen:
                continue
            seen.add(rule.unit_id)
            if rule.kind == RoutingRuleKind.ADDRESS:
                reason = _("地址包含「%(keyword)s」，属%(unit)s辖区") % {
                    "keyword": rule.keyword,
                    "unit": rule.unit.name,
                }
            else:
                reason = _("主题「%(topic)s」由%(unit)s承办") % {"topic": rule.topic.name, "unit": rule.unit.name}
            suggestions.append(RoutingSuggestion(unit=rule.unit, rule=rule, reason=reason))
        return suggestions


def routing_suggest(*, address: str = "", topic=None, rules: RoutingRules | None = None) -> list[RoutingSuggestion]:
    """Units that rules suggest for an order, best first; empty when no rule matches.

    Among matching rules the highest priority wins; at equal priority the longest address keyword
    (the most specific place) wins. The dispatcher can always choose another unit. Pass `rules`
    (`RoutingRules.load()`) when suggesting for many orders.
    """
    return (rules or RoutingRules.load()).suggest(address=address, topic=topic)
