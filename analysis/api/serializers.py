"""Output shapes of the analysis API; the OpenAPI schema is generated from them."""

from __future__ import annotations

from rest_framework import serializers

from ..models import AreaLevel, Bulletin


class BulletinSerializer(serializers.ModelSerializer):
    generated_by = serializers.CharField(source="generated_by.username", allow_null=True, default=None)
    url = serializers.HyperlinkedIdentityField(view_name="api:analysis-bulletin-detail")

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "period_start",
            "period_end",
            "version",
            "automatic",
            "generated_at",
            "generated_by",
        ]


class BulletinDetailSerializer(BulletinSerializer):
    class Meta(BulletinSerializer.Meta):
        fields = BulletinSerializer.Meta.fields + ["data"]


class FiguresSerializer(serializers.Serializer):
    """One row of figures: the counts, and the rates derived from them (null: nothing to count)."""

    received = serializers.IntegerField()
    response_base = serializers.IntegerField()
    responded = serializers.IntegerField()
    sign_base = serializers.IntegerField()
    signed_in_time = serializers.IntegerField()
    due = serializers.IntegerField()
    due_closed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    closed = serializers.IntegerField()
    approved = serializers.IntegerField()
    resolved = serializers.IntegerField()
    partly = serializers.IntegerField()
    unresolved = serializers.IntegerField()
    handling_minutes_total = serializers.FloatField()
    timed = serializers.IntegerField()
    callbacks = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basically = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    returned = serializers.IntegerField()
    supervision_orders = serializers.IntegerField()
    reminders = serializers.IntegerField()
    late_responses = serializers.IntegerField()
    closure_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    response_rate = serializers.FloatField(allow_null=True)
    sign_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    avg_handling_hours = serializers.FloatField(allow_null=True)


class TrendPointSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    bureau = FiguresSerializer()
    unit = FiguresSerializer(allow_null=True)


class CountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class BreakdownsSerializer(serializers.Serializer):
    handling_type = CountSerializer(many=True)
    topic = CountSerializer(many=True)
    channel = CountSerializer(many=True)


class LoadSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit = serializers.CharField()
    open = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    ytd_start = serializers.DateField()
    ytd_end = serializers.DateField()
    unit_id = serializers.IntegerField(allow_null=True)
    unit_count = serializers.IntegerField(help_text="Units that handle orders (the divisor of per-unit averages).")
    bureau = FiguresSerializer()
    unit = FiguresSerializer(allow_null=True)
    trend = TrendPointSerializer(many=True)
    breakdowns = BreakdownsSerializer()
    load = LoadSerializer(many=True)


class HotspotSerializer(serializers.Serializer):
    topic_id = serializers.IntegerField()
    topic = serializers.CharField()
    area = serializers.CharField(allow_null=True, help_text="Station id (level station) or keyword (level place).")
    area_label = serializers.CharField()
    counts = serializers.ListField(
        child=serializers.IntegerField(), help_text="Baseline weeks, oldest first, then the week."
    )
    count = serializers.IntegerField()
    baseline_mean = serializers.FloatField()
    increase = serializers.FloatField()
    surge = serializers.BooleanField()


class RepeatOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    received_at = serializers.DateTimeField()
    topic = serializers.CharField(source="topic__name")
    unit = serializers.CharField(source="unit__name", allow_null=True)
    status = serializers.CharField()


class RepeatSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The caller phone (masked unless you are the dispatch desk) or the address.")
    n = serializers.IntegerField()
    topics = serializers.IntegerField()
    callers = serializers.IntegerField()
    first = serializers.DateTimeField()
    last = serializers.DateTimeField()
    orders = RepeatOrderSerializer(many=True)


class HotspotsSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    level = serializers.ChoiceField(choices=AreaLevel.choices)
    baseline_weeks = serializers.IntegerField()
    surge_ratio = serializers.FloatField()
    surge_minimum = serializers.IntegerField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    hotspots = HotspotSerializer(many=True)
    repeat_callers = RepeatSerializer(many=True)
    repeated_addresses = RepeatSerializer(many=True)


class HotspotQuerySerializer(serializers.Serializer):
    week = serializers.DateField(required=False, help_text="Any day of the week; default this week.")
    level = serializers.ChoiceField(choices=AreaLevel.choices, required=False, default=AreaLevel.STATION)
    topic = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
