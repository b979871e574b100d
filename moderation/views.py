from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.views import APIView

from config.errors import Forbidden
from config.pagination import paginate
from config.responses import v1_response
from config.schema import error_responses
from moderation import selectors, serializers, services
from moderation.errors import (
    AlreadyReported,
    AlreadyResolved,
    CannotReportSelf,
    MessageNotFound,
    MessageNotFromReportedUser,
    ReportNotAllowed,
    ReportNotFound,
)


class ReportCreateApi(APIView):
    throttle_scope = "report_create"

    @extend_schema(
        summary="Report a user or a message (ext)",
        description=(
            "The reporter must share, or have shared, a chat room or a call with the reported user "
            "(else 403 REPORT_NOT_ALLOWED, also for an unknown user). A `message` report needs "
            "`message_id`: a message from the reported user in a room the reporter is or was in; its "
            "content is copied as evidence. One report per message, and one pending `user` report per "
            "pair (409 ALREADY_REPORTED). Filing a report also blocks the pair from random matching."
        ),
        request=serializers.ReportCreateInputSerializer,
        responses={
            201: serializers.ReportCreatedSerializer,
            **error_responses(
                CannotReportSelf, MessageNotFromReportedUser, ReportNotAllowed, MessageNotFound, AlreadyReported
            ),
        },
    )
    def post(self, request):
        data = serializers.ReportCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(reporter=request.user, **data.validated_data)
        return v1_response(
            serializers.ReportCreatedSerializer(report).data, message=_("Your report has been received."), status=201
        )


class AdminReportListApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="List reports (staff)",
        description="Oldest first. `status` defaults to `pending`, `type` to `all`; `page`/`per_page` (≤ 100).",
        parameters=[serializers.ReportListQuerySerializer],
        responses={200: serializers.ReportListSerializer, **error_responses(Forbidden)},
    )
    def get(self, request):
        query = serializers.ReportListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = paginate(
            selectors.report_list(status=params["status"], report_type=params["type"]),
            page=params["page"],
            per_page=params["per_page"],
        )
        return v1_response(serializers.ReportListSerializer({"reports": page.items, **page.meta()}).data)


class AdminReportResolveApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="Resolve a report (staff)",
        description=(
            "`dismiss`; `warn` (warning count +1, `moderation.warned` on /ws/events/); `suspend` "
            "(for SUSPENSION_DAYS) and `ban` (for good): the user is refused from the next request "
            "(ACCOUNT_SUSPENDED / ACCOUNT_BANNED), their refresh tokens are blacklisted, they get "
            "`account.suspended` and then every open WebSocket closes with 4403, they leave the "
            "random-match queue and their active pool is cancelled. Each resolution is recorded with "
            "the moderator and the time. A resolved report: 400 ALREADY_RESOLVED."
        ),
        request=serializers.ReportResolveInputSerializer,
        responses={
            200: serializers.ReportResolvedSerializer,
            **error_responses(AlreadyResolved, Forbidden, ReportNotFound),
        },
    )
    def post(self, request, report_id):
        data = serializers.ReportResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_resolve(actor=request.user, report_id=report_id, **data.validated_data)
        return v1_response(
            serializers.ReportResolvedSerializer(report).data, message=_("The report has been resolved.")
        )
