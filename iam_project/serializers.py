from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know instead of dropping them.

    A client that sends `is_root`, `is_managed` or a misspelt field must
    learn that it had no effect rather than believe it did.
    """

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {field: ["This field cannot be set."] for field in sorted(unknown)}
            )
        return attrs
