"""The connector's tables; the change feed starts with every order and notice event already written.

Past events get txid 0 (below any transaction's id), in the order they happened, so a client
reading the feed from the start replays the whole history before what happens next.
"""

import django.db.models.deletion
import uuid
from django.db import migrations, models


PAST_EVENTS = """
INSERT INTO connector_feedentry (txid, order_event_id, notice_event_id, order_id, notice_id)
SELECT 0, order_event_id, notice_event_id, order_id, notice_id FROM (
    SELECT created_at, id AS order_event_id, CAST(NULL AS bigint) AS notice_event_id,
           order_id, CAST(NULL AS bigint) AS notice_id
    FROM tickets_orderevent
    UNION ALL
    SELECT created_at, CAST(NULL AS bigint), id, CAST(NULL AS bigint), notice_id
    FROM supervision_noticeevent
) AS past
ORDER BY created_at, order_event_id, notice_event_id
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('supervision', '0005_sweep_heartbeat'),
        ('tickets', '0007_signed_for'),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('url', models.URLField(max_length=500, verbose_name='接收地址')),
                ('secret', models.CharField(max_length=200, verbose_name='签名密钥')),
                ('event_types', models.JSONField(default=list, help_text='如 ["order.created", "order.closed"]', verbose_name='事件类型')),
                ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                ('timeout_seconds', models.FloatField(default=10.0, verbose_name='超时（秒）')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
            ],
            options={
                'verbose_name': 'Webhook 订阅',
                'verbose_name_plural': 'Webhook 订阅',
            },
        ),
        migrations.CreateModel(
            name='PlatformConnection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('is_active', models.BooleanField(default=False, verbose_name='启用')),
                ('endpoint_url', models.URLField(help_text='每一步以 JSON POST 到此地址', max_length=500, verbose_name='接口地址')),
                ('username', models.CharField(blank=True, help_text='填写则以 HTTP Basic 认证', max_length=100, verbose_name='用户名')),
                ('password', models.CharField(blank=True, max_length=200, verbose_name='密码')),
                ('secret', models.CharField(blank=True, help_text='填写则每个请求带 X-Hotline-Signature: sha256=<HMAC>', max_length=200, verbose_name='签名密钥')),
                ('timeout_seconds', models.FloatField(default=10.0, verbose_name='超时（秒）')),
                ('field_map', models.JSONField(blank=True, default=dict, help_text='我方字段名 → 平台字段名，如 {"platform_number": "gdbh"}', verbose_name='字段对照')),
                ('code_map', models.JSONField(blank=True, default=dict, help_text='按我方字段名：我方代码 → 平台代码，如 {"step": {"signed": "QS"}, "outcome": {"resolved": "1"}}', verbose_name='代码对照')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
            ],
            options={
                'verbose_name': '12345平台连接',
                'verbose_name_plural': '12345平台连接',
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('is_active',), name='one_active_platform')],
            },
        ),
        migrations.CreateModel(
            name='FeedEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('txid', models.BigIntegerField(default=0, verbose_name='事务号')),
                ('notice', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='supervision.notice')),
                ('notice_event', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='supervision.noticeevent')),
                ('order', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.workorder')),
                ('order_event', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.orderevent')),
            ],
            options={
                'verbose_name': '变更流',
                'verbose_name_plural': '变更流',
                'indexes': [models.Index(fields=['txid', 'id'], name='feed_position_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('notice_event__isnull', False), ('order_event__isnull', True)), models.Q(('notice_event__isnull', True), ('order_event__isnull', False)), _connector='OR'), name='feed_one_event')],
            },
        ),
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('stream', models.CharField(help_text='目的地与工单（或函件）', max_length=100, verbose_name='队列')),
                ('sequence', models.PositiveIntegerField(verbose_name='序号')),
                ('source', models.CharField(max_length=100, verbose_name='来源')),
                ('kind', models.CharField(help_text='平台步骤或 Webhook 事件类型', max_length=30, verbose_name='类型')),
                ('payload', models.JSONField(default=dict, verbose_name='内容')),
                ('status', models.CharField(choices=[('pending', '待发送'), ('sent', '已送达')], default='pending', max_length=10, verbose_name='状态')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='尝试次数')),
                ('next_attempt_at', models.DateTimeField(verbose_name='下次尝试')),
                ('last_error', models.TextField(blank=True, verbose_name='最近错误')),
                ('request', models.TextField(blank=True, help_text='最近一次发出的请求（地址、头、正文）', verbose_name='请求')),
                ('response', models.TextField(blank=True, help_text='最近一次收到的响应', verbose_name='响应')),
                ('response_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='响应码')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='送达时间')),
                ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.workorder', verbose_name='工单')),
                ('connection', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='connector.platformconnection', verbose_name='平台连接')),
                ('subscription', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='connector.webhooksubscription', verbose_name='Webhook 订阅')),
            ],
            options={
                'verbose_name': '外发消息',
                'verbose_name_plural': '外发消息',
                'ordering': ['-created_at'],
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='outbox_due_idx'), models.Index(condition=models.Q(('status', 'pending')), fields=['stream', 'sequence'], name='outbox_stream_pending_idx')],
                'constraints': [models.UniqueConstraint(fields=('stream', 'sequence'), name='outbox_stream_sequence_unique'), models.UniqueConstraint(fields=('stream', 'source'), name='outbox_stream_source_unique'), models.CheckConstraint(condition=models.Q(models.Q(('connection__isnull', True), ('subscription__isnull', False)), models.Q(('connection__isnull', False), ('subscription__isnull', True)), _connector='OR'), name='outbox_one_destination')],
            },
        ),
        migrations.RunSQL(PAST_EVENTS, migrations.RunSQL.noop, elidable=True),
    ]
