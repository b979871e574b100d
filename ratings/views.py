from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import MessageSerializer
from calls.errors import CallNotFound
from config.schema import error_responses
from ratings import selectors, serializers, services
from ratings.errors import AlreadyRated


class CallHistoryRecentApi(APIView):
    @extend_schema(
        responses={200: serializers.CallHistoryItemSerializer(many=True)},
        description="The caller's calls of the last 30 days, newest first, at most 50.",
    )
    def get(self, request):
        return Response(selectors.call_history_recent(user=request.user))


class RatingSubmitApi(APIView):
    @extend_schema(
        request=serializers.RatingInputSerializer,
        responses={200: MessageSerializer, **error_responses(CallNotFound, AlreadyRated)},
        description="Rates the other participant of a call you were in, once per call. Feeds their `rating`.",
    )
    def post(self, request):
        data = serializers.RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rating_submit(
            rater=request.user,
            call_id=data.validated_data["call_id"],
            score=data.validated_data["rating"],
            comment=data.validated_data["comment"],
        )
        return Response({"message": _("Your rating has been submitted.")})
