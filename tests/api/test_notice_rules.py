"""GET /api/v1/notice-rules/: every rule with its switch and thresholds, read from the policy."""

from __future__ import annotations

import pytest

from supervision.models import Rule, SupervisionPolicy

pytestmark = pytest.mark.django_db

RULES = "/api/v1/notice-rules/"


def by_rule(response) -> dict:
    assert response.status_code == 200
    return {row["rule"]: row for row in response.json()}


def test_every_rule_is_listed_with_its_switch(api, officer_a):
    rows = by_rule(api(officer_a).get(RULES))
    assert list(rows) == Rule.values
    assert all(row["enabled"] is True for row in rows.values())
    assert rows["overdue"]["switch"]["name"] == "overdue_enabled"
    assert rows["dispatch_notice"]["switch"]["name"] == "notify_on_dispatch"


def test_a_rule_lists_the_thresholds_named_after_its_switch(api, supervisor):
    policy = SupervisionPolicy.load()
    policy.repeat_threshold = 4
    policy.save()
    repeat = by_rule(api(supervisor).get(RULES))["repeat_complaint"]
    assert {s["name"]: s["value"] for s in repeat["settings"]} == {"repeat_threshold": 4, "repeat_window_days": 30}
    assert repeat["settings"][0]["label"] == "重复次数"


def test_a_rule_switched_off_reads_disabled(api, supervisor):
    policy = SupervisionPolicy.load()
    policy.early_warning_enabled = False
    policy.save()
    rows = by_rule(api(supervisor).get(RULES))
    assert rows["early_warning"]["enabled"] is False and rows["overdue"]["enabled"] is True


def test_the_labels_follow_the_request_language(api, supervisor):
    rows = by_rule(api(supervisor, language="en").get(RULES))
    assert rows["overdue"]["label"].isascii()


def test_anonymous_gets_401(api):
    assert api().get(RULES).status_code == 401


def test_the_rules_cannot_be_changed_here(api, supervisor):
    assert api(supervisor).post(RULES, {}, format="json").status_code == 405
