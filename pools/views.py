"""Thin APIs of pools and proposals (seed-group-matching §2, §3, §5.3)."""

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.views import APIView

from config.errors import Forbidden, MalformedRequest, RateLimitExceeded, ValidationFailed
from config.responses import v1_response
from config.schema import error_responses
from pools import errors, selectors, serializers, services
from pools.models import ProposalStatus


class PoolCreateApi(APIView):
    throttle_scope = {"POST": "pool_create", "GET": "matching_read"}

    @extend_schema(
        operation_id="matching_pools_create",
        request=serializers.PoolCreateInputSerializer,
        responses={
            201: serializers.PoolCreatedSerializer,
            **error_responses(
                errors.InvalidMemberCount,
                errors.UnverifiedMember,
                errors.MixedGender,
                errors.AlreadyInPool,
                errors.InvalidMessageLength,
                ValidationFailed,
                MalformedRequest,
                RateLimitExceeded,
            ),
        },
        description=(
            "Registers a pool (3 per day). The creator is always a member. UNVERIFIED_MEMBER, MIXED_GENDER "
            "(ext) and ALREADY_IN_POOL name the members concerned in `details.member_ids`. A pairing run is "
            "enqueued after the pool is stored."
        ),
    )
    def post(self, request):
        data = serializers.PoolCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pool = services.pool_create(creator=request.user, **data.validated_data)
        return v1_response(
            serializers.PoolCreatedSerializer(pool).data,
            message=_("The matching pool has been registered."),
            status=201,
        )


class PoolMyApi(APIView):
    throttle_scope = "matching_read"

    @extend_schema(
        operation_id="matching_pools_my",
        responses={200: serializers.MyPoolSerializer, **error_responses(errors.NoActivePool)},
        description=(
            "The waiting or proposed pool the caller is a member of. None: 404 NOT_FOUND whose body also "
            'carries `data: {"pool": null}`.'
        ),
    )
    def get(self, request):
        pool = selectors.pool_active_for_user(user=request.user)
        if pool is None:
            raise errors.NoActivePool()
        return v1_response(serializers.MyPoolSerializer({"pool": pool}).data)


class PoolStatsApi(APIView):
    throttle_scope = "matching_read"

    @extend_schema(operation_id="matching_pools_stats", responses={200: serializers.PoolStatsSerializer})
    def get(self, request):
        return v1_response(serializers.PoolStatsSerializer(selectors.pool_waiting_stats()).data)


class PoolCancelApi(APIView):
    @extend_schema(
        operation_id="matching_pools_cancel",
        responses={
            200: serializers.PoolCancelledSerializer,
            **error_responses(errors.PoolNotFound, errors.NotPoolCreator, errors.AlreadyMatched, errors.PoolExpired),
        },
        description=(
            "Only the creator cancels (other members: 403; anyone else: 404). An open proposal is cancelled "
            "and the other pool waits again. Cancelling a cancelled pool answers 200 again; an expired one "
            "400 EXPIRED."
        ),
    )
    def delete(self, request, pool_id):
        services.pool_cancel(user=request.user, pool_id=pool_id)
        return v1_response({"message": _("The matching pool has been cancelled.")})


class ProposalListApi(APIView):
    throttle_scope = "matching_read"

    @extend_schema(
        operation_id="matching_proposals_list",
        parameters=[serializers.ProposalListQuerySerializer],
        responses={200: serializers.ProposalListSerializer},
    )
    def get(self, request):
        query = serializers.ProposalListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        proposals = selectors.proposals_for_user(user=request.user, status=query.validated_data["status"])
        return v1_response(
            serializers.ProposalListSerializer({"proposals": proposals, "total": len(proposals)}).data
        )


_PROPOSAL_ERRORS = (
    errors.ProposalNotFound,
    errors.NotProposalResponder,
    errors.AlreadyResponded,
    errors.ProposalExpired,
)


class ProposalAcceptApi(APIView):
    throttle_scope = "proposal_accept"

    @extend_schema(
        operation_id="matching_proposals_accept",
        request=None,
        responses={200: serializers.ProposalAcceptedSerializer, **error_responses(*_PROPOSAL_ERRORS, RateLimitExceeded)},
        description=(
            "The creator of one of the two pools accepts (10 per hour). Once both have accepted, the answer "
            "has `final_status: matched` and the one `chat_room` opened for the proposal."
        ),
    )
    def post(self, request, proposal_id):
        outcome = services.proposal_accept(user=request.user, proposal_id=proposal_id)
        body = {"proposal_id": outcome.proposal_id, "my_status": outcome.my_status, "other_status": outcome.other_status}
        if outcome.final_status == ProposalStatus.MATCHED:
            body["final_status"] = outcome.final_status
            body["chat_room"] = asdict(outcome.chat_room)
            body["message"] = _("The match has been made! A group chat room has been opened.")
        else:
            body["message"] = _("Accepted. Waiting for the other party's response.")
        return v1_response(serializers.ProposalAcceptedSerializer(body).data)


class ProposalRejectApi(APIView):
    @extend_schema(
        operation_id="matching_proposals_reject",
        request=serializers.ProposalRejectInputSerializer,
        responses={
            200: serializers.ProposalRejectedSerializer,
            **error_responses(*_PROPOSAL_ERRORS, ValidationFailed, MalformedRequest),
        },
        description="The creator of one of the two pools rejects; both pools wait again and are never re-proposed.",
    )
    def post(self, request, proposal_id):
        data = serializers.ProposalRejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.proposal_reject(
            user=request.user, proposal_id=proposal_id, reason=data.validated_data["reason"]
        )
        body = {
            "proposal_id": outcome.proposal_id,
            "my_status": outcome.my_status,
            "final_status": outcome.final_status,
            "message": _("You have declined the matching proposal."),
        }
        return v1_response(serializers.ProposalRejectedSerializer(body).data)


class AdminMatchingStatsApi(APIView):
    permission_classes = [IsAuthenticated, IsAdminUser]

    @extend_schema(
        operation_id="admin_matching_stats",
        parameters=[serializers.AdminStatsQuerySerializer],
        responses={200: serializers.AdminStatsSerializer, **error_responses(Forbidden)},
        description="Staff only.",
    )
    def get(self, request):
        query = serializers.AdminStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return v1_response(
            serializers.AdminStatsSerializer(selectors.matching_admin_stats(period=query.validated_data["period"])).data
        )

