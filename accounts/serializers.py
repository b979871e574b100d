from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Gender
from accounts.selectors import profile_image_url
from config.fields import StrictCharField

username_field_kwargs = {
    "min_length": 3,
    "max_length": 30,
    "validators": [RegexValidator(r"^[A-Za-z0-9_.]+$", _("Use letters, digits, '_' and '.' only."))],
}


class SignupInputSerializer(serializers.Serializer):
    username = StrictCharField(**username_field_kwargs)
    password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)
    age = serializers.IntegerField(min_value=18, max_value=100)
    gender = serializers.ChoiceField(choices=Gender.choices)
    profile_image = serializers.FileField()

    def validate(self, attrs):
        candidate = type("Candidate", (), {"username": attrs["username"], "_meta": None})
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


class LoginInputSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class RefreshInputSerializer(serializers.Serializer):
    refresh = StrictCharField(max_length=2048)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class ProfileOutputSerializer(serializers.Serializer):
    user_id = serializers.UUIDField(source="public_id")
    username = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    gender = serializers.CharField()
    profile_image = serializers.SerializerMethodField()

    def get_profile_image(self, user) -> str | None:
        return profile_image_url(user, self.context.get("request"))


class ProfileUpdateInputSerializer(serializers.Serializer):
    username = StrictCharField(required=False, **username_field_kwargs)
    profile_image = serializers.FileField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Send username and/or profile_image."))
        return attrs
