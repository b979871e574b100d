from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import error_responses
from gems.errors import InsufficientGems
from matching import selectors, serializers, services
from matching.errors import AlreadyDecided, LocationRequired, MatchNotFound, ProfileIncomplete

EVENTS_NOTE = (
    "Events on `/ws/events/` (each `{type, data, timestamp}`, sent after commit): "
    "`match.found` (data = the pending body of `GET /api/match/random/` as that user sees it), "
    "`match.matched` (`{match_id, status: \"matched\", matched_user_id}`), "
    "`match.next` (`{match_id, status: \"next\", reason}`, reason `rejected`, `expired`, "
    "`cancelled` or `insufficient_gems`)."
)


class MatchSettingsApi(APIView):
    @extend_schema(
        responses={200: serializers.MatchSettingsSerializer},
        description="**(ext)** The caller's matching conditions; defaults `all`, `[18, 100]`, `null` (anywhere).",
    )
    def get(self, request):
        settings_row = selectors.match_settings_for(user=request.user)
        return Response(
            {
                "preferred_gender": settings_row.preferred_gender,
                "age_range": [settings_row.age_min, settings_row.age_max],
                "radius_km": settings_row.radius_km,
            }
        )

    @extend_schema(
        request=serializers.MatchSettingsSerializer,
        responses={200: serializers.MatchMessageSerializer},
        description=(
            "Saves the caller's matching conditions: `preferred_gender` `male`|`female`|`all`, "
            "`age_range` `[min, max]` with 18 ≤ min ≤ max ≤ 100, `radius_km` 1-500 or `null` "
            "(anywhere; omitted means `null`). They apply to pairings made after this call; a match "
            "already offered keeps the conditions it was made with.\n\n"
            "Settings other than the defaults (`all`, `[18, 100]`, `null`) make a request *filtered*: "
            "it costs `MATCH_FILTER_GEM_COST` gems (default 5), charged when such a match becomes "
            "`matched`."
        ),
    )
    def post(self, request):
        data = serializers.MatchSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        age_min, age_max = data.validated_data["age_range"]
        services.match_settings_update(
            user=request.user,
            preferred_gender=data.validated_data["preferred_gender"],
            age_min=age_min,
            age_max=age_max,
            radius_km=data.validated_data["radius_km"],
        )
        return Response({"message": _("Your matching conditions have been saved.")})


class RandomMatchApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, description="**(ext)** Latitude, -90..90; send with `lng`."),
            OpenApiParameter("lng", float, description="**(ext)** Longitude, -180..180; send with `lat`."),
        ],
        responses={
            200: serializers.RandomMatchOutputSerializer,
            **error_responses(LocationRequired, ProfileIncomplete, InsufficientGems),
        },
        description=(
            "Puts the caller in the random-match queue (`is_matching = true`) and pairs them with the "
            "longest-waiting compatible user.\n\n"
            "- A pending match (new, or the one the caller already has: the call is idempotent): "
            "`{match_id, matched_user: {user_id, username, age, gender, profile_image, rating}, "
            "show_time_sec, status: \"pending\", expires_at}`. Both users have `show_time_sec` "
            "(`MATCH_SHOW_TIME_SEC`, default 10) to decide; `rating` is the partner's average received "
            "rating (1 decimal) or `null`.\n"
            "- Nobody compatible waiting: `{match_id: null, matched_user: null, show_time_sec: 0, "
            "status: \"waiting\"}`; wait for `match.found` on `/ws/events/` or poll this endpoint.\n\n"
            "**Staying in the queue (ext):** each call is a heartbeat. A queued user who has not called "
            "for `MATCH_QUEUE_HEARTBEAT_TIMEOUT_SEC` (default 120 s) is no longer offered to others and "
            "a periodic job takes them off the queue, so a waiting client polls at least every minute. "
            "Re-calling while queued keeps the caller's place in line.\n\n"
            "**Location (ext):** `lat`/`lng` update the caller's location, stored rounded to 2 decimals "
            "(about 1 km). A radius with no known location: 400 `LOCATION_REQUIRED`. Distance is the "
            "great-circle distance.\n\n"
            "**Pairing rules:** both are queued and in no other open match; each satisfies the other's "
            "gender, age range and radius (a symmetric check); neither is suspended or banned; neither "
            "blocked or reported the other; a pair where either rejected the other is not offered again "
            "for `MATCH_REPEAT_COOLDOWN` (default 24 h); a queued user whose own filters they can no "
            "longer pay for is skipped.\n\n"
            "**Gems:** a filtered request (gender not `all`, an age range narrower than `[18, 100]`, or a "
            "radius) needs `MATCH_FILTER_GEM_COST` gems (default 5): with a lower balance it is refused up "
            "front with 402 `INSUFFICIENT_GEMS` (details `required`, `balance`) and nothing changes (a caller "
            "who already has a pending match gets it back without this check). The gems are charged "
            "only when the match becomes `matched`.\n\n"
            "Users with no age or gender (staff accounts): 400 `PROFILE_INCOMPLETE`.\n\n" + EVENTS_NOTE
        ),
    )
    def get(self, request):
        query = serializers.RandomMatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        match = services.match_request(
            user=request.user,
            lat=query.validated_data.get("lat"),
            lng=query.validated_data.get("lng"),
            absolute_url=request.build_absolute_uri,
        )
        if match is None:
            return Response(selectors.match_waiting_payload())
        payloads = selectors.match_offer_payloads(match=match, absolute_url=request.build_absolute_uri)
        return Response(payloads[request.user.pk])


class MatchDecisionApi(APIView):
    @extend_schema(
        request=serializers.DecisionInputSerializer,
        responses={
            200: serializers.DecisionOutputSerializer,
            **error_responses(MatchNotFound, AlreadyDecided, InsufficientGems),
        },
        description=(
            "Accept or reject a pending match, by one of its two participants (anyone else: 404 `NOT_FOUND`).\n\n"
            "- `reject`: the match is `rejected`, both stay in the queue → `next`.\n"
            "- `accept` while the partner has not decided → `waiting` **(ext)**.\n"
            "- `accept` after the partner accepted: the match is `matched`, both leave the queue and each "
            "side whose request was filtered pays `MATCH_FILTER_GEM_COST` gems in the same transaction → "
            "`matched`. If the caller can no longer pay: 402 `INSUFFICIENT_GEMS` and nothing changes "
            "(top up and accept again before `expires_at`). If the partner can no longer pay, nobody is "
            "charged and the match is cancelled → `next`.\n"
            "- After `expires_at`, or when the match already ended (partner rejected, cancelled): → `next` "
            "(an expired match is treated as expired even before the expiry job marks it).\n"
            "- Deciding a second time on the same match: 409 `ALREADY_DECIDED`.\n\n" + EVENTS_NOTE
        ),
    )
    def post(self, request):
        data = serializers.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.match_decide(user=request.user, **data.validated_data)
        return Response({"status": outcome})


class MatchCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={200: serializers.MatchMessageSerializer},
        description=(
            "Takes the caller off the queue (`is_matching = false`) and cancels their pending match, if "
            "any; the partner gets `match.next` with reason `cancelled` (and stays queued). Idempotent: "
            "calling it when not queued answers the same. A `matched` match is not affected."
        ),
    )
    def post(self, request):
        services.match_queue_leave(user=request.user)
        return Response({"message": _("Matching status has been cleared.")})

