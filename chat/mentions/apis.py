"""REST for mentions: the Mentions view, marking a conversation's read, the agents to name."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import IsAgent, int_param
from helpdesk.errors import BadRequest

from . import services

ListOut = inline_serializer(
    "MentionList",
    {
        "unread": serializers.IntegerField(),
        "results": serializers.ListField(child=serializers.DictField()),
    },
)


class MentionListApi(APIView):
    """The signed-in agent's mentions, one row per conversation, newest first."""

    permission_classes = [IsAgent]

    @extend_schema(responses=ListOut, tags=["mentions"])
    def get(self, request: Request) -> Response:
        limit = int_param(request, "limit", 50, 1, 100)
        return Response(services.mentions_for(user=request.user, limit=limit))


class MentionReadApi(APIView):
    """``{"conversation": id}``: the agent opened it; its mentions of them are read."""

    permission_classes = [IsAgent]

    @extend_schema(
        request=inline_serializer("MentionRead", {"conversation": serializers.IntegerField()}),
        responses=inline_serializer("MentionUnread", {"unread": serializers.IntegerField()}),
        tags=["mentions"],
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        conversation = data.get("conversation") if isinstance(data, dict) else None
        if isinstance(conversation, bool) or not isinstance(conversation, int) or conversation < 1:
            raise BadRequest("conversation must be an id.", fields={"conversation": ["Invalid."]})
        left = services.mentions_read(user=request.user, conversation_id=conversation)
        return Response({"unread": left})


class MentionAgentsApi(APIView):
    """Active agents as the composer's ``@`` suggests them."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "MentionAgent",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "name": serializers.CharField(),
            },
            many=True,
        ),
        tags=["mentions"],
    )
    def get(self, request: Request) -> Response:
        return Response({"results": services.agent_choices()})
