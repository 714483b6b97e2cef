from rest_framework import serializers


class PasswordLoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(trim_whitespace=False, max_length=1024)
    account = serializers.CharField(max_length=40, required=False)


class RefreshTokenSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=200)


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
