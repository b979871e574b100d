from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import MessageSerializer
from calls import serializers, services
from calls.errors import CallAlreadyEnded, CallNotFound, MatchNotFound
from config.schema import error_responses


class CallStartApi(APIView):
    @extend_schema(
        request=serializers.CallStartInputSerializer,
        responses={200: serializers.CallStartOutputSerializer, **error_responses(MatchNotFound, CallAlreadyEnded)},
        description=(
            "Opens the call of a `matched` match the caller is in; idempotent while the call is open (both "
            "participants get the same `call_session_id`). Then connect to `/ws/call/<call_session_id>/?token=`."
        ),
    )
    def post(self, request):
        data = serializers.CallStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        started = services.call_start(user=request.user, match_id=data.validated_data["match_id"])
        return Response(serializers.CallStartOutputSerializer(started).data)


class CallEndApi(APIView):
    @extend_schema(
        request=serializers.CallEndInputSerializer,
        responses={200: MessageSerializer, **error_responses(CallNotFound)},
        description="Ends the call (idempotent). The peer gets `call.ended` on the call socket and on `/ws/events/`.",
    )
    def post(self, request):
        data = serializers.CallEndInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.call_end(user=request.user, call_session_id=data.validated_data["call_session_id"])
        return Response({"message": _("The call has ended.")})
