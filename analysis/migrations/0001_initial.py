"""Bulletins, campaigns and typical cases move here from the supervision app.

No table is created or copied: the models keep the tables supervision made (db_table), and their
content types (hence every permission granted on them) are relabelled from supervision to analysis.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ["bulletin", "bulletincommitment", "campaign", "typicalcase"]


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def relabel_content_types(apps, schema_editor):
    _relabel(apps, "supervision", "analysis")


def unlabel_content_types(apps, schema_editor):
    _relabel(apps, "analysis", "supervision")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('supervision', '0003_merge_0002_bulletins_0002_notices'),
        ('stations', '0002_initial'),
        ('tickets', '0004_stats_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are; only Django's idea of which app owns them changes.
            state_operations=[
                migrations.CreateModel(
                    name='Bulletin',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('weekly', '每周通报'), ('custom', '专期通报')], max_length=10, verbose_name='类型')),
                        ('period_start', models.DateField(verbose_name='统计起始日')),
                        ('period_end', models.DateField(help_text='含当日', verbose_name='统计截止日')),
                        ('version', models.PositiveIntegerField(verbose_name='版本')),
                        ('title', models.CharField(max_length=200, verbose_name='标题')),
                        ('generated_at', models.DateTimeField(verbose_name='生成时间')),
                        ('automatic', models.BooleanField(default=False, verbose_name='自动生成')),
                        ('data', models.JSONField(default=dict, verbose_name='通报内容')),
                        ('generated_by', models.ForeignKey(blank=True, help_text='为空表示系统按计划自动生成', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='生成人')),
                    ],
                    options={
                        'verbose_name': '每周通报',
                        'verbose_name_plural': '每周通报',
                        'db_table': 'supervision_bulletin',
                        'ordering': ['-period_start', '-period_end', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='BulletinCommitment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('measures', models.TextField(verbose_name='整改措施')),
                        ('due_on', models.DateField(verbose_name='整改期限')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='填报时间')),
                        ('bulletin', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commitments', to='analysis.bulletin', verbose_name='通报')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='填报人')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bulletin_commitments', to='stations.unit', verbose_name='单位')),
                    ],
                    options={
                        'verbose_name': '整改承诺',
                        'verbose_name_plural': '整改承诺',
                        'db_table': 'supervision_bulletincommitment',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Campaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='名称')),
                        ('description', models.TextField(blank=True, verbose_name='工作要求')),
                        ('area_level', models.CharField(blank=True, choices=[('station', '派出所辖区'), ('place', '社区/道路')], max_length=10, verbose_name='区域层级')),
                        ('area_keyword', models.CharField(blank=True, max_length=100, verbose_name='社区/道路')),
                        ('starts_on', models.DateField(verbose_name='开始日期')),
                        ('ends_on', models.DateField(verbose_name='结束日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='发起时间')),
                        ('area_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='stations.unit', verbose_name='辖区派出所')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                        ('lead_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='led_campaigns', to='stations.unit', verbose_name='牵头单位')),
                        ('orders', models.ManyToManyField(blank=True, related_name='campaigns', to='tickets.workorder', verbose_name='关联工单')),
                        ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='tickets.topic', verbose_name='诉求主题')),
                        ('units', models.ManyToManyField(blank=True, related_name='campaigns', to='stations.unit', verbose_name='参与单位')),
                    ],
                    options={
                        'verbose_name': '专项整治',
                        'verbose_name_plural': '专项整治',
                        'db_table': 'supervision_campaign',
                        'ordering': ['-starts_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='TypicalCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('good', '正面典型'), ('bad', '反面典型')], max_length=10, verbose_name='类型')),
                        ('title', models.CharField(max_length=200, verbose_name='标题')),
                        ('commentary', models.TextField(verbose_name='点评')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('marked_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='点评人')),
                        ('order', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='typical_case', to='tickets.workorder', verbose_name='工单')),
                    ],
                    options={
                        'verbose_name': '典型案例',
                        'verbose_name_plural': '典型案例',
                        'db_table': 'supervision_typicalcase',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='bulletin',
                    constraint=models.UniqueConstraint(fields=('period_start', 'period_end', 'version'), name='bulletin_period_version_unique'),
                ),
                migrations.AddConstraint(
                    model_name='bulletin',
                    constraint=models.UniqueConstraint(condition=models.Q(('automatic', True)), fields=('period_start', 'period_end'), name='one_automatic_bulletin_per_period'),
                ),
                migrations.AddConstraint(
                    model_name='bulletin',
                    constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='bulletin_period_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='campaign',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='campaign_period_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='campaign',
                    constraint=models.CheckConstraint(condition=models.Q(('area_level', ''), models.Q(('area_level', 'station'), ('area_unit__isnull', False)), models.Q(('area_level', 'place'), models.Q(('area_keyword', ''), _negated=True)), _connector='OR'), name='campaign_area_matches_level'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, unlabel_content_types),
    ]
