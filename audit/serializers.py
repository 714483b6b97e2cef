from rest_framework import serializers

from audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "credential",
            "access_key_id",
            "impersonator",
            "reason",
            "action",
            "target",
            "outcome",
            "client_ip",
            "user_agent",
            "request_id",
            "details",
        ]
        read_only_fields = fields


class AuditEventFilterSerializer(serializers.Serializer):
    actor = serializers.CharField(required=False, max_length=200)
    action = serializers.CharField(required=False, max_length=100)
    target = serializers.CharField(required=False, max_length=200)
    outcome = serializers.ChoiceField(
        choices=AuditEvent.Outcome.choices, required=False
    )
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
