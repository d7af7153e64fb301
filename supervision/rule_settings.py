"""What each rule's switch and thresholds are set to now, read from the policy (for the API).

Generic on purpose: the rules are the `Rule` choices, and the switch of a rule is found by asking
`rules.rule_enabled` itself — the policy switch whose flip changes its answer — so a rule added
with its switch in `rule_enabled` is listed without a change here. A rule's thresholds are the
policy's other fields named after its switch (`repeat_enabled` → `repeat_threshold`,
`repeat_window_days`), the convention the policy's fields follow.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .models import Rule, SupervisionPolicy
from .rules import rule_enabled

SWITCH_SUFFIX = "_enabled"


@dataclass(frozen=True)
class RuleSetting:
    name: str
    label: str
    value: Any
    help_text: str = ""


@dataclass(frozen=True)
class RuleState:
    rule: str
    label: str
    enabled: bool | None  # None: the rule has no switch the policy knows of
    switch: RuleSetting | None
    settings: list[RuleSetting] = field(default_factory=list)


def _setting(policy: SupervisionPolicy, policy_field: models.Field) -> RuleSetting:
    value = getattr(policy, policy_field.attname)
    return RuleSetting(
        name=policy_field.name, label=str(policy_field.verbose_name), value=value, help_text=str(policy_field.help_text)
    )


def _enabled(policy: SupervisionPolicy, rule: str) -> bool | None:
    try:
        return bool(rule_enabled(policy, rule))
    except KeyError:
        return None


def _switch_of(policy: SupervisionPolicy, rule: str, switches: list[models.Field]) -> models.Field | None:
    """The boolean field whose flip changes `rule_enabled(policy, rule)`."""
    current = _enabled(policy, rule)
    if current is None:
        return None
    for switch in switches:
        flipped = copy.copy(policy)
        setattr(flipped, switch.attname, not getattr(policy, switch.attname))
        if _enabled(flipped, rule) != current:
            return switch
    return None


def rule_states(policy: SupervisionPolicy | None = None) -> list[RuleState]:
    """Every rule, in the order the `Rule` choices list them, with its switch and thresholds."""
    policy = policy or SupervisionPolicy.load()
    own_fields = [f for f in policy._meta.concrete_fields if not f.primary_key and f.editable]
    switches = [f for f in own_fields if isinstance(f, models.BooleanField)]
    states = []
    for value, label in Rule.choices:
        switch = _switch_of(policy, value, switches)
        settings = []
        if switch is not None and switch.name.endswith(SWITCH_SUFFIX):
            stem = switch.name.removesuffix(SWITCH_SUFFIX) + "_"
            settings = [_setting(policy, f) for f in own_fields if f is not switch and f.name.startswith(stem)]
        states.append(
            RuleState(
                rule=value,
                label=str(label),
                enabled=_enabled(policy, value),
                switch=_setting(policy, switch) if switch is not None else None,
                settings=settings,
            )
        )
    return states
