from rest_framework import serializers

from accounts.models import User
from iam_project.serializers import StrictSerializer


class UserSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "urn",
            "email",
            "unconfirmed_email",
            "email_confirmed",
            "name",
            "is_root",
            "is_active",
            "created_at",
            "updated_at",
            "last_login_at",
        ]
        read_only_fields = fields


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
