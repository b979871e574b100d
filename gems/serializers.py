from rest_framework import serializers


class BalanceOutputSerializer(serializers.Serializer):
    gems = serializers.IntegerField()


class ChargeInputSerializer(serializers.Serializer):
    payment_token = serializers.CharField(max_length=1024)


class ChargeOutputSerializer(serializers.Serializer):
    gems_added = serializers.IntegerField()
    new_balance = serializers.IntegerField()
