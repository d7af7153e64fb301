"""GET /api/v1/escalation-levels/: the escalation ladder, read-only, for anyone signed in."""

from __future__ import annotations

import pytest

from supervision.models import EscalationLevel, LadderAction

pytestmark = pytest.mark.django_db

LEVELS = "/api/v1/escalation-levels/"


def test_the_ladder_is_listed_by_clock_and_level(api, officer_a):
    response = api(officer_a).get(LEVELS)
    assert response.status_code == 200
    rows = response.json()
    assert [(r["clock"], r["position"]) for r in rows] == sorted((r["clock"], r["position"]) for r in rows)
    assert len(rows) == EscalationLevel.objects.count()
    daily = next(r for r in rows if r["action"] == LadderAction.DAILY_REMINDER)
    assert daily["enabled"] is False and daily["reminder_time"] == "09:00"
    assert daily["action_label"] == "每个工作日早上再次提醒"


def test_a_builtin_level_names_its_rule(api, supervisor):
    rows = api(supervisor).get(LEVELS).json()
    assert {r["builtin"] for r in rows if r["builtin"]} == {
        "contact_warning",
        "early_warning",
        "overdue",
        "notice_escalation",
    }


def test_anonymous_gets_401(api):
    assert api().get(LEVELS).status_code == 401


def test_the_ladder_cannot_be_changed_here(api, supervisor):
    assert api(supervisor).post(LEVELS, {}, format="json").status_code == 405


def test_the_labels_follow_the_request_language(api, supervisor):
    rows = api(supervisor, language="en").get(LEVELS).json()
    assert all(r["action_label"].isascii() and r["clock_label"].isascii() for r in rows), rows


def test_a_builtin_level_reads_its_rule_switch(api, supervisor):
    from supervision.models import SupervisionPolicy

    policy = SupervisionPolicy.load()
    policy.overdue_enabled = False
    policy.save()
    rows = api(supervisor).get(LEVELS).json()
    assert next(r for r in rows if r["builtin"] == "overdue")["enabled"] is False
    assert next(r for r in rows if r["builtin"] == "early_warning")["enabled"] is True
