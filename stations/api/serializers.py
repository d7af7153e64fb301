from rest_framework import serializers

from stations.models import Unit, User


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    handles_orders = serializers.BooleanField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "kind_label",
            "parent",
            "head_name",
            "duty_phone",
            "is_active",
            "handles_orders",
        ]


class StaffSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    role_label = serializers.CharField(source="get_role_display")

    class Meta:
        model = User
        # No username: a sign-in name is half of a credential and no client needs it.
        fields = ["id", "name", "role", "role_label", "unit", "is_active"]
