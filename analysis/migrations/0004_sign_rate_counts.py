"""签收及时率 counters in the daily roll-up.

The roll-up is a cache of settled orders' counts; its rows have no signing counts yet, so it is
emptied here. Until the hourly roll-up task fills it again (from every order, as a first fill
does) the figures are counted live: slower, never wrong.
"""

from django.db import migrations, models


def empty_the_rollup(apps, schema_editor):
    for name in ("UnitDayCount", "UnitDayBreakdown", "UnitDayFeedback", "RollupState"):
        apps.get_model("analysis", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0003_open_order_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='unitdaycount',
            name='sign_base',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='unitdaycount',
            name='signed_in_time',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(empty_the_rollup, migrations.RunPython.noop, elidable=True),
    ]
