"""REST for routing: the agent's presence switch, the queue overview, and the widget's
availability, leave-a-message and proactive-chat endpoints. Thin: parse, call, render."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import IsAgent, actor_from_request
from helpdesk.auth import VisitorTokenAuthentication
from helpdesk.errors import BadRequest

from . import presence, selectors, widget


def _user_id(request: Request) -> int:
    pk = request.user.pk
    assert pk is not None  # IsAgent: always a saved user
    return int(pk)


PresenceOut = inline_serializer(
    "Presence",
    {
        "status": serializers.ChoiceField(choices=["online", "away", "offline"]),
        "connected": serializers.BooleanField(),
        "available": serializers.BooleanField(),
        "offline_since": serializers.DateTimeField(allow_null=True),
    },
)


class PresenceApi(APIView):
    """The agent's own presence: read it, or switch online / away / offline."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["online", "away", "offline"])

        class Meta:
            ref_name = "PresenceSwitch"

    @extend_schema(responses=PresenceOut, tags=["routing"])
    def get(self, request: Request) -> Response:
        return Response(presence.presence_state(user_id=_user_id(request)))

    @extend_schema(request=InputSerializer, responses=PresenceOut, tags=["routing"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        presence.presence_set(user_id=_user_id(request), status=data.validated_data["status"])
        return Response(presence.presence_state(user_id=_user_id(request)))


class QueueOverviewApi(APIView):
    """Waiting conversations per team and every agent's presence and load."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "QueueOverview",
            {
                "teams": serializers.ListField(child=serializers.DictField()),
                "agents": serializers.ListField(child=serializers.DictField()),
            },
        ),
        tags=["routing"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            {"teams": selectors.queue_overview(), "agents": selectors.agents_with_load()}
        )


class AvailabilityApi(APIView):
    """Public: is the desk open, when does it open next, is an agent available."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("team", OpenApiTypes.INT, required=False)],
        responses=inline_serializer(
            "Availability",
            {
                "team": serializers.IntegerField(allow_null=True),
                "open": serializers.BooleanField(),
                "next_open": serializers.DateTimeField(allow_null=True),
                "agents_available": serializers.BooleanField(),
            },
        ),
        tags=["widget"],
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("team") or None
        team_id = None
        if raw is not None:
            if not raw.isdigit() or len(raw) > 18:
                raise BadRequest("team must be an id.", fields={"team": ["Invalid."]})
            team_id = int(raw)
        return Response(widget.availability(team_id=team_id))


class LeaveMessageApi(APIView):
    """The shopper leaves a message and an email or phone while nobody can answer."""

    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=10000)
        email = serializers.CharField(required=False, allow_blank=True, max_length=254)
        phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
        client_id = serializers.CharField(required=False, max_length=64)

        class Meta:
            ref_name = "LeaveMessageInput"

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "LeftMessage",
                {
                    "id": serializers.IntegerField(),
                    "conversation": serializers.IntegerField(),
                    "email": serializers.CharField(),
                    "phone": serializers.CharField(),
                },
            )
        },
        tags=["widget"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        actor = actor_from_request(request)
        assert actor.visitor is not None
        left = widget.message_leave(
            visitor=actor.visitor,
            body=values["body"],
            email=values.get("email", ""),
            phone=values.get("phone", ""),
            client_id=values.get("client_id"),
        )
        return Response(
            {
                "id": left.pk,
                "conversation": left.conversation_id,
                "email": left.email,
                "phone": left.phone,
            },
            status=201,
        )


class ProactiveApi(APIView):
    """Public: the storefront's proactive-chat settings."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("lang", OpenApiTypes.STR, required=False)],
        responses=inline_serializer(
            "Proactive",
            {
                "enabled": serializers.BooleanField(),
                "delay_seconds": serializers.IntegerField(),
                "greeting": serializers.CharField(),
            },
        ),
        tags=["widget"],
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("lang") or request.headers.get("Accept-Language", "")
        return Response(widget.proactive_for(language=language[:16]))
