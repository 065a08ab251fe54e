"""The desk's SLA marks (docs/metrics.md, "SLA"; docs/protocol.md): for the conversations the
workspace list shows, the most urgent running clock of each."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.access import Actor, conversations_visible_to
from chat.apis import IsAgent
from helpdesk.errors import BadRequest

from .models import SlaOutcome
from .sla import running_clocks

MAX_IDS = 200
CLOCK_NAMES = {
    SlaOutcome.Clock.FIRST_RESPONSE: "first_response",
    SlaOutcome.Clock.NEXT_RESPONSE: "next_response",
    SlaOutcome.Clock.RESOLUTION: "resolution",
}


def _ids(request: Request) -> list[int]:
    raw = [part for part in request.query_params.get("ids", "").split(",") if part.strip()]
    try:
        ids = [int(part) for part in raw]
    except ValueError:
        raise BadRequest("ids must be numbers.", fields={"ids": ["Invalid."]}) from None
    if len(ids) > MAX_IDS:
        raise BadRequest(f"At most {MAX_IDS} ids.", fields={"ids": ["Too many."]})
    return ids


class SlaClocksApi(APIView):
    """GET /api/v1/sla/clocks?ids=1,2,3: each listed conversation's running SLA clock that
    is due soonest, with when it becomes at risk and when it is due (none: no SLA runs)."""

    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[OpenApiParameter("ids", OpenApiTypes.STR, description="Conversation ids")],
        responses=inline_serializer(
            "SlaClocks", {"now": serializers.DateTimeField(), "clocks": serializers.ListField()}
        ),
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        ids = _ids(request)
        visible = set(
            conversations_visible_to(Actor(user=request.user))
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        soonest: dict[int, Any] = {}
        for clock in running_clocks(visible) if visible else []:
            soonest.setdefault(clock.conversation_id, clock)
        return Response(
            {
                "now": now,
                "clocks": [
                    {
                        "conversation": c.conversation_id,
                        "clock": CLOCK_NAMES[SlaOutcome.Clock(c.clock)],
                        "state": c.state(now),
                        "at_risk_at": c.at_risk_at,
                        "due_at": c.due_at,
                        "target_seconds": c.target_seconds,
                    }
                    for c in soonest.values()
                ],
            }
        )
