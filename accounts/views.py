from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, serializers, services
from accounts.errors import ImageTooLarge, InvalidImage, UsernameTaken
from config.errors import InvalidCredentials, RateLimitExceeded, TokenInvalid
from config.parsers import SafeJSONParser
from config.schema import error_responses
from config.throttling import attach_rate_limit_state, client_ip, rate_limit_peek


class SignupApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    throttle_scope = "signup"

    @extend_schema(
        request=serializers.SignupInputSerializer,
        responses={
            201: serializers.MessageSerializer,
            **error_responses(UsernameTaken, InvalidImage, ImageTooLarge, RateLimitExceeded),
        },
        auth=[],
    )
    def post(self, request):
        data = serializers.SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_signup(**data.validated_data)
        return Response({"message": _("Sign-up is complete.")}, status=201)


class LoginApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=serializers.LoginInputSerializer,
        responses={200: serializers.TokenPairSerializer, **error_responses(InvalidCredentials, RateLimitExceeded)},
        auth=[],
    )
    def post(self, request):
        data = serializers.LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ip = client_ip(request)
        try:
            tokens = services.auth_login(**data.validated_data, ip=ip)
        finally:
            for scope, ident in services.login_rate_limit_scopes(username=data.validated_data["username"], ip=ip):
                attach_rate_limit_state(request, rate_limit_peek(scope, ident))
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class RefreshApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=serializers.RefreshInputSerializer,
        responses={200: serializers.TokenPairSerializer, **error_responses(TokenInvalid)},
        auth=[],
    )
    def post(self, request):
        data = serializers.RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = services.auth_refresh(refresh=data.validated_data["refresh"])
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class LogoutApi(APIView):
    @extend_schema(
        request=serializers.RefreshInputSerializer,
        responses={200: serializers.MessageSerializer, **error_responses(TokenInvalid)},
    )
    def post(self, request):
        data = serializers.RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.auth_logout(user=request.user, refresh=data.validated_data["refresh"])
        return Response({"message": _("You have been logged out.")})


class ProfileApi(APIView):
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]

    @extend_schema(responses={200: serializers.ProfileOutputSerializer})
    def get(self, request):
        return Response(selectors.profile_of(request.user, request))

    @extend_schema(
        request=serializers.ProfileUpdateInputSerializer,
        responses={200: serializers.MessageSerializer, **error_responses(UsernameTaken, InvalidImage, ImageTooLarge)},
    )
    def put(self, request):
        data = serializers.ProfileUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.profile_update(user=request.user, **data.validated_data)
        return Response({"message": _("Your profile has been updated.")})
