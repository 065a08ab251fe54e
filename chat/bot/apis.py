"""REST for the bot: the shopper's "Did this help?" clicks and the agent's bot panel."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.access import access_conversation
from chat.apis import IsAgent, actor_from_request
from helpdesk.auth import VisitorPrincipal, VisitorTokenAuthentication
from helpdesk.errors import Forbidden

from . import feedback, selectors


class BotFeedbackApi(APIView):
    """A shopper's click on a bot answer: ``yes``, ``no`` or ``human`` (talk to a person)."""

    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        message = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        choice = serializers.ChoiceField(choices=["yes", "no", "human"])

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "BotFeedback",
            {"message": serializers.IntegerField(), "choice": serializers.CharField()},
        ),
        tags=["widget"],
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.user, VisitorPrincipal):
            raise Forbidden("Shoppers only.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = feedback.bot_feedback_record(
            actor=actor_from_request(request),
            message_id=data.validated_data["message"],
            choice=data.validated_data["choice"],
        )
        return Response({"message": record.message_id, "choice": record.choice})


class ConversationBotApi(APIView):
    """What the bot did in a conversation: hand-over reason, sentiment per shopper message,
    feedback on answers (the workspace's bot panel)."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "ConversationBot",
            {
                "conversation": serializers.IntegerField(),
                "answers": serializers.IntegerField(),
                "handover": serializers.DictField(allow_null=True),
                "sentiment": serializers.ListField(child=serializers.DictField()),
                "feedback": serializers.ListField(child=serializers.DictField()),
            },
        ),
        tags=["conversations"],
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = access_conversation(
            actor=actor_from_request(request), conversation_id=conversation_id
        )
        data: dict[str, Any] = selectors.bot_overview(conversation=conversation)
        return Response(data)
