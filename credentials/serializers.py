from rest_framework import serializers

from accounts.models import User
from credentials.models import AccessKey, CredentialStatus, SSHPublicKey
from iam_project.serializers import StrictSerializer


class TokenRequestSerializer(serializers.Serializer):
    """An email and password (with `account` on the platform host) or a key pair."""

    PASSWORD_FIELDS = ("email", "password")
    KEY_FIELDS = ("access_key_id", "secret_access_key")

    email = serializers.CharField(max_length=254, required=False)
    password = serializers.CharField(
        trim_whitespace=False, max_length=1024, required=False
    )
    account = serializers.CharField(max_length=40, required=False)
    # Generous limits: an id or secret of the wrong length must get the same
    # 401 as a wrong one, not a validation error that tells them apart.
    access_key_id = serializers.CharField(max_length=128, required=False)
    secret_access_key = serializers.CharField(
        trim_whitespace=False, max_length=1024, required=False
    )

    def validate(self, attrs):
        uses_key = any(field in attrs for field in self.KEY_FIELDS)
        uses_password = any(
            field in attrs for field in (*self.PASSWORD_FIELDS, "account")
        )
        if uses_key and uses_password:
            raise serializers.ValidationError(
                "Send either email and password, or access_key_id and "
                "secret_access_key, not both."
            )
        required = self.KEY_FIELDS if uses_key else self.PASSWORD_FIELDS
        missing = [field for field in required if field not in attrs]
        if missing:
            raise serializers.ValidationError(
                {field: ["This field is required."] for field in missing}
            )
        return attrs

    @property
    def uses_access_key(self) -> bool:
        return "access_key_id" in self.validated_data


class RefreshTokenSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=200)


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()


class AccessKeySerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = AccessKey
        fields = ["access_key_id", "urn", "status", "created_at", "last_used_at"]
        read_only_fields = fields


class AccessKeyCreatedSerializer(serializers.Serializer):
    """The create response: the only place a secret is ever shown."""

    access_key_id = serializers.CharField()
    urn = serializers.CharField()
    secret_access_key = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class CredentialStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=CredentialStatus.choices)


class SSHPublicKeySerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = SSHPublicKey
        fields = [
            "ssh_public_key_id",
            "urn",
            "fingerprint",
            "public_key",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SSHPublicKeyUploadSerializer(StrictSerializer):
    # An RSA-16384 line is about 2.8 kB; anything much longer is not a key.
    public_key = serializers.CharField(max_length=8192)


class SSHPublicKeyOwnerSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "urn", "email", "name"]
        read_only_fields = fields


class SSHPublicKeyMatchSerializer(SSHPublicKeySerializer):
    user = SSHPublicKeyOwnerSerializer(read_only=True)

    class Meta(SSHPublicKeySerializer.Meta):
        fields = [*SSHPublicKeySerializer.Meta.fields, "user"]
        read_only_fields = fields


class SSHPublicKeyLookupSerializer(serializers.Serializer):
    fingerprint = serializers.RegexField(
        r"^SHA256:[A-Za-z0-9+/]{43}$",
        error_messages={"invalid": "Use the SHA256:<base64> form of ssh-keygen -l."},
    )

    def to_internal_value(self, data):
        # A "+" left unencoded in a query string arrives as a space; base64
        # has no spaces, so putting it back is unambiguous.
        fingerprint = data.get("fingerprint")
        if isinstance(fingerprint, str):
            data = {"fingerprint": fingerprint.replace(" ", "+")}
        return super().to_internal_value(data)


def _age_days(since, now) -> int | None:
    return (now - since).days if since else None


class _ReportAccessKeySerializer(serializers.ModelSerializer):
    age_days = serializers.SerializerMethodField()

    class Meta:
        model = AccessKey
        fields = ["access_key_id", "status", "created_at", "age_days", "last_used_at"]

    def get_age_days(self, key) -> int:
        return _age_days(key.created_at, self.context["now"])


class _ReportSSHPublicKeySerializer(serializers.ModelSerializer):
    age_days = serializers.SerializerMethodField()

    class Meta:
        model = SSHPublicKey
        fields = [
            "ssh_public_key_id",
            "fingerprint",
            "status",
            "created_at",
            "age_days",
        ]

    def get_age_days(self, key) -> int:
        return _age_days(key.created_at, self.context["now"])


class CredentialReportUserSerializer(serializers.ModelSerializer):
    """One user's line in the credential report: what to rotate or remove."""

    urn = serializers.CharField(read_only=True)
    password_enabled = serializers.SerializerMethodField()
    password_age_days = serializers.SerializerMethodField()
    access_keys = _ReportAccessKeySerializer(many=True, read_only=True)
    ssh_public_keys = _ReportSSHPublicKeySerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "urn",
            "email",
            "is_root",
            "is_active",
            "created_at",
            "email_confirmed",
            "unconfirmed_email",
            "password_enabled",
            "password_changed_at",
            "password_age_days",
            "last_login_at",
            "access_keys",
            "ssh_public_keys",
        ]

    def get_password_enabled(self, user) -> bool:
        return user.has_usable_password()

    def get_password_age_days(self, user) -> int | None:
        if not user.has_usable_password():
            return None
        return _age_days(user.password_changed_at, self.context["now"])
