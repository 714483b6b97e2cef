from rest_framework import serializers

from iam_project.serializers import StrictSerializer


class UserSerializer(serializers.Serializer):
    """A user as the API shows it; output only.

    Declared field by field rather than as a ModelSerializer, which rebuilds
    its fields from the model on every instantiation; and formatted through
    the class's own field objects, skipping DRF's per-instance deep copy of
    them. Together they were a fifth of GET /iam/users/me (bench profile).
    These plain fields need no binding to format a value.
    """

    id = serializers.UUIDField(read_only=True)
    urn = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    unconfirmed_email = serializers.EmailField(read_only=True, allow_null=True)
    email_confirmed = serializers.BooleanField(read_only=True)
    name = serializers.CharField(read_only=True)
    is_root = serializers.BooleanField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    last_login_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, instance):
        return {
            name: None if value is None else field.to_representation(value)
            for name, field in self._declared_fields.items()
            for value in (getattr(instance, name),)
        }


class UserCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class UserUpdateSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(trim_whitespace=False, max_length=1024)
    new_password = serializers.CharField(trim_whitespace=False, max_length=1024)


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    account = serializers.CharField(max_length=40, required=False)


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(trim_whitespace=False, max_length=1024)


class EmailConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
