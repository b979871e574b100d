"""Request validation and response shapes of pools and proposals (no rules, no writes)."""

from collections.abc import Sequence

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.fields import StrictCharField, StrictUUIDField
from pools.models import MatchingType, MatchType, PoolGender, PoolStatus, ProposalStatus, SideResponse
from pools.selectors import PROPOSAL_FILTERS, STATS_PERIODS


def inline_enum(values: Sequence[str], *, help_text: str, **kwargs) -> serializers.ChoiceField:
    """A ChoiceField whose enum is documented in place, not as a shared schema component.

    The same value sets sit under several names (``my_status``/``other_status`` here,
    ``matching_type`` here and ``display_mode`` in chat) and other apps have their own ``status``
    sets; as shared components drf-spectacular's global enum naming reports each as a collision.
    """
    values = [str(value) for value in values]
    field_class = extend_schema_field({"allOf": [{"type": "string", "enum": values}]})(
        type("InlineEnumField", (serializers.ChoiceField,), {})
    )
    # A description keeps the allOf wrapper (a bare one-item allOf is unwrapped and named again).
    return field_class(choices=values, help_text=help_text, **kwargs)


class PoolCreateInputSerializer(serializers.Serializer):
    member_ids = serializers.ListField(
        child=StrictUUIDField(),
        allow_empty=True,
        help_text="Public user ids of the members (the creator is added if absent); 2-8 distinct members in all.",
    )
    preferred_match_type = serializers.ChoiceField(choices=MatchType.choices)
    preferred_categories = serializers.ListField(
        child=StrictCharField(max_length=100),
        required=False,
        default=list,
        max_length=20,
        help_text="Required and non-empty when preferred_match_type is major_category.",
    )
    matching_type = inline_enum(MatchingType.values, help_text="blind: people appear by display name only.")
    # Length is a business rule with its own code (INVALID_MESSAGE_LENGTH), checked by the service.
    message = StrictCharField(allow_blank=True, help_text="1-200 characters.")


class PoolCreatedSerializer(serializers.Serializer):
    pool_id = serializers.UUIDField(source="pk")
    member_count = serializers.IntegerField()
    department = serializers.CharField()
    grade = serializers.CharField()
    gender = inline_enum(PoolGender.values, help_text="The creator's verified gender, shared by every member.")
    status = inline_enum([PoolStatus.WAITING], help_text="A new pool waits for the pairing job.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class PoolMemberSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    name = serializers.CharField()
    department = serializers.CharField(allow_null=True, help_text="null when the member hides their department.")
    grade = serializers.CharField(allow_null=True)


class PoolDetailSerializer(serializers.Serializer):
    pool_id = serializers.UUIDField()
    member_count = serializers.IntegerField()
    members = PoolMemberSerializer(many=True)
    preferred_match_type = serializers.ChoiceField(choices=MatchType.choices)
    preferred_categories = serializers.ListField(child=serializers.CharField())
    matching_type = inline_enum(MatchingType.values, help_text="blind or open chat room.")
    message = serializers.CharField()
    status = inline_enum(
        [PoolStatus.WAITING, PoolStatus.PROPOSED], help_text="proposed while the pool is in an open proposal."
    )
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class MyPoolSerializer(serializers.Serializer):
    pool = PoolDetailSerializer()


class PoolStatsSerializer(serializers.Serializer):
    total_waiting = serializers.IntegerField()
    by_member_count = serializers.DictField(
        child=serializers.IntegerField(), help_text="Member count → waiting pools (sizes with none are left out)."
    )
    by_gender = serializers.DictField(child=serializers.IntegerField(), help_text='{"male": n, "female": n}')
    average_wait_time_hours = serializers.FloatField(help_text="Mean age of the waiting pools (0.0 when none wait).")


class PoolCancelledSerializer(serializers.Serializer):
    message = serializers.CharField()


class ProposalListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=PROPOSAL_FILTERS,
        default="pending",
        help_text=(
            "Filters on the proposal's outcome: pending (open, not past expires_at), accepted (matched), "
            "rejected, all (also expired and cancelled)."
        ),
    )


class ProposalMyPoolSerializer(serializers.Serializer):
    pool_id = serializers.UUIDField()
    member_count = serializers.IntegerField()
    department = serializers.CharField()


class ProposalMatchedPoolSerializer(ProposalMyPoolSerializer):
    message = serializers.CharField()
    matching_type = inline_enum(MatchingType.values, help_text="The other pool's chat room preference.")


class ProposalItemSerializer(serializers.Serializer):
    proposal_id = serializers.UUIDField()
    my_pool = ProposalMyPoolSerializer()
    matched_pool = ProposalMatchedPoolSerializer()
    my_status = inline_enum(SideResponse.values, help_text="The answer of my pool's creator.")
    other_status = inline_enum(SideResponse.values, help_text="The answer of the other pool's creator.")
    final_status = inline_enum(
        ProposalStatus.values,
        help_text="(ext) The proposal's outcome; a pending proposal past expires_at reads as expired.",
    )
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class ProposalListSerializer(serializers.Serializer):
    proposals = ProposalItemSerializer(many=True)
    total = serializers.IntegerField()


class ProposalRejectInputSerializer(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class ChatRoomSummarySerializer(serializers.Serializer):
    room_id = serializers.UUIDField()
    room_name = serializers.CharField()
    display_mode = inline_enum(MatchingType.values, help_text="blind if either pool is blind.")
    members_count = serializers.IntegerField()


class ProposalAcceptedSerializer(serializers.Serializer):
    proposal_id = serializers.UUIDField()
    my_status = inline_enum([SideResponse.ACCEPTED], help_text="My pool's answer.")
    other_status = inline_enum(
        [SideResponse.PENDING, SideResponse.ACCEPTED], help_text="The other pool's answer so far."
    )
    final_status = inline_enum(
        [ProposalStatus.MATCHED], required=False, help_text="Present once both sides have accepted."
    )
    chat_room = ChatRoomSummarySerializer(required=False, help_text="Present once both sides have accepted.")
    message = serializers.CharField()


class ProposalRejectedSerializer(serializers.Serializer):
    proposal_id = serializers.UUIDField()
    my_status = inline_enum([SideResponse.REJECTED], help_text="My pool's answer.")
    final_status = inline_enum([ProposalStatus.REJECTED], help_text="A rejection closes the proposal.")
    message = serializers.CharField()


class AdminStatsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=list(STATS_PERIODS), default="weekly", help_text="The last 1, 7 or 30 days."
    )


class AdminStatsSerializer(serializers.Serializer):
    period = inline_enum(list(STATS_PERIODS), help_text="The period asked for.")
    total_pools_created = serializers.IntegerField(help_text="Pools created in the period.")
    total_proposals_sent = serializers.IntegerField(help_text="Proposals made in the period.")
    total_matches_success = serializers.IntegerField(help_text="Proposals made in the period that were matched.")
    success_rate = serializers.FloatField(help_text="matches / proposals x 100, 2 decimals (0.0 without proposals).")
    average_match_time_hours = serializers.FloatField(
        help_text="Mean time from pool creation to match over pools matched in the period (0.0 if none)."
    )
    active_chat_rooms = serializers.IntegerField(help_text="Group chat rooms open now.")
    by_match_type = serializers.DictField(
        child=serializers.IntegerField(), help_text="Pools created in the period by preferred_match_type."
    )
