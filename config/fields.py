"""Serializer fields that take JSON types as they are: DRF would coerce ``1`` into ``"1"``,
an integer into a UUID, or ``"yes"`` into ``True``; a wrong type is a validation error here."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """Only JSON strings."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """Only a UUID written as a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """Only JSON ``true``/``false``."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class StrictIntegerField(serializers.IntegerField):
    """Only JSON integers (not ``"5"``, ``5.0`` or ``true``)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
