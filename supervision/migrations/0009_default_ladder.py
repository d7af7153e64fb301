"""The default escalation ladder: today's rules as its first steps (they keep their own switches in
督办规则设置), and the new steps switched off, so nothing changes for a bureau that does not edit it."""

import datetime as dt

from django.db import migrations

DEFAULT_LADDER = [
    # (clock, position, name, offset, basis, action, builtin, enabled, reminder_time)
    ("contact", 1, "超时未联系预警", 0, "wall", "warn_unit", "contact_warning", True, None),
    ("handling", 1, "办理时限预警", 0, "working", "warn_unit", "early_warning", True, None),
    ("handling", 2, "超期下发督办单", 0, "working", "supervision_notice", "overdue", True, None),
    ("handling", 3, "超期一个工作日报上级单位和督导领导", 450, "working", "escalate_parent", "", False, None),
    ("handling", 4, "超期后每个工作日早上再次提醒", 0, "working", "daily_reminder", "", False, dt.time(9, 0)),
    ("notice_response", 1, "督办逾期未反馈报上级", 0, "wall", "escalate_parent", "notice_escalation", True, None),
]


def create_default_ladder(apps, schema_editor):
    EscalationLevel = apps.get_model("supervision", "EscalationLevel")
    for clock, position, name, offset, basis, action, builtin, enabled, reminder_time in DEFAULT_LADDER:
        EscalationLevel.objects.create(
            clock=clock,
            position=position,
            name=name,
            offset_minutes=offset,
            basis=basis,
            action=action,
            builtin=builtin,
            enabled=enabled,
            reminder_time=reminder_time,
        )


def remove_default_ladder(apps, schema_editor):
    apps.get_model("supervision", "EscalationLevel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0008_escalation_ladder")]

    operations = [migrations.RunPython(create_default_ladder, remove_default_ladder)]
