"""A URLconf with probe views, so the plumbing is tested apart from any product endpoint."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config import errors
from config.responses import v1_response
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401  (same error pages)
from config.urls_helpers import v1_path


class ProbeInput(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=10)
    kind = serializers.ChoiceField(choices=["a", "b"])


class ProbeApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = {"GET": "probe"}

    def get(self, request):
        return Response({"hello": "world"})

    def post(self, request):
        data = ProbeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data, status=201)


class ProbeV1Api(ProbeApi):
    def get(self, request):
        return v1_response({"hello": "world"}, message="probe ok")


class ProbeProtectedApi(APIView):
    def get(self, request):
        return Response({"user_id": str(request.user.public_id)})


class ProbeBoomApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        raise RuntimeError("SELECT secret FROM internals")


class ProbeConflictApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        raise errors.AccountSuspended(details={"until": "2030-01-01T00:00:00Z"})


v1_patterns = [*v1_path("probe", ProbeV1Api.as_view())]

urlpatterns = [
    path("api/probe/", ProbeApi.as_view()),
    path("api/probe/protected/", ProbeProtectedApi.as_view()),
    path("api/probe/boom/", ProbeBoomApi.as_view()),
    path("api/probe/error/", ProbeConflictApi.as_view()),
    path("api/v1/", include(v1_patterns)),
    path("", include("config.urls")),
]
