from decimal import Decimal

from django.db import migrations

POLICIES = [
    ("consultation", 60, Decimal("0.5")),
    ("enforcement", 60, Decimal("1")),
    ("service", 60, Decimal("1")),
]

TOPICS = [
    ("noise", "噪音扰民"),
    ("fraud", "电信诈骗"),
    ("household", "户籍业务"),
    ("traffic", "交通管理"),
    ("theft", "盗窃"),
    ("neighbour", "邻里纠纷"),
    ("id_card", "身份证办理"),
    ("exit_entry", "出入境业务"),
    ("public_order", "治安秩序"),
    ("economic", "经济纠纷"),
    ("parking", "违规停车"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("tickets", "TimeLimitPolicy")
    Topic = apps.get_model("tickets", "Topic")
    for handling_type, contact_minutes, days in POLICIES:
        Policy.objects.get_or_create(
            handling_type=handling_type,
            defaults={"contact_minutes": contact_minutes, "handling_working_days": days},
        )
    for order, (code, name) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
