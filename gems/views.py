from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import RateLimitExceeded
from config.schema import error_responses
from gems import selectors, serializers, services
from gems.errors import InvalidPaymentToken, PaymentProviderUnavailable


class GemBalanceApi(APIView):
    @extend_schema(
        responses={200: serializers.BalanceOutputSerializer},
        description="The caller's gem balance. It always equals the sum of the caller's ledger rows.",
    )
    def get(self, request):
        return Response({"gems": selectors.gem_balance(user=request.user)})


class GemChargeApi(APIView):
    throttle_scope = "gem_charge"

    @extend_schema(
        request=serializers.ChargeInputSerializer,
        responses={
            200: serializers.ChargeOutputSerializer,
            **error_responses(InvalidPaymentToken, RateLimitExceeded, PaymentProviderUnavailable),
        },
        description=(
            "Redeems a store payment token and credits the gems of the purchased product. "
            "The configured payment provider verifies the token and reports the provider transaction "
            "id and product id; the gems per product come from the admin-editable product table "
            "(seeded: `gems_10`, `gems_50`, `gems_120`, `gems_300`).\n\n"
            "**Idempotent per provider transaction:** sending a token that was already credited to "
            "the caller credits nothing and returns the original `gems_added` with the current "
            "`new_balance`. A token already credited to another account, an unknown token, or an "
            "unknown/inactive product: 400 `INVALID_PAYMENT_TOKEN`. Provider unreachable: 503 "
            "`PAYMENT_PROVIDER_UNAVAILABLE`, nothing credited (retrying the same token is safe).\n\n"
            "**Development provider** (only when `DEV_PAYMENT_PROVIDER_ENABLED`, off in production): "
            "`dev:<product_id>:<nonce>`, e.g. `dev:gems_50:3f2a`; each new nonce is a new purchase.\n\n"
            "Rate limit: 30 requests per hour per user (scope `gem_charge`)."
        ),
    )
    def post(self, request):
        data = serializers.ChargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.gem_charge(user=request.user, payment_token=data.validated_data["payment_token"])
        return Response({"gems_added": result.gems_added, "new_balance": result.new_balance})
