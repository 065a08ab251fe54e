"""REST for the bot: the shopper's "Did this help?" clicks and the agent's bot panel."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.access import access_conversation
from chat.api_common import IsAgent, actor_from_request
from helpdesk.auth import VisitorPrincipal, VisitorTokenAuthentication
from helpdesk.errors import Forbidden

from . import feedback, selectors, suggestions


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


class IsStaff(BasePermission):
    """Staff users only: shoppers, agents who are not staff and anonymous users are refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


SUGGESTION_FIELDS: dict[str, serializers.Field] = {
    "key": serializers.CharField(),
    "title": serializers.CharField(),
    "score": serializers.FloatField(),
}


class BotPreviewApi(APIView):
    """What the bot would do with a question, without creating a conversation (docs/bot.md):
    answer, suggest ("did you mean") or hand over, with the entry and the evidence."""

    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=selectors.PREVIEW_MAX_CHARS, trim_whitespace=True)
        language = serializers.ChoiceField(
            choices=["en", "zh-hans"], required=False, allow_null=True
        )

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "BotPreview",
            {
                "decision": serializers.ChoiceField(choices=["answer", "suggest", "handover"]),
                "entry": inline_serializer(
                    "BotPreviewEntry",
                    {
                        "id": serializers.IntegerField(),
                        "key": serializers.CharField(),
                        "title": serializers.CharField(),
                        "language": serializers.CharField(),
                    },
                    allow_null=True,
                ),
                "suggestions": inline_serializer(
                    "BotPreviewSuggestion", SUGGESTION_FIELDS, many=True
                ),
                "score": serializers.FloatField(),
                "lexical": serializers.FloatField(),
                "semantic": serializers.FloatField(allow_null=True),
            },
        ),
        tags=["bot"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            selectors.bot_preview(
                text=data.validated_data["text"],
                language=data.validated_data.get("language"),
            )
        )


class BotSuggestionApi(APIView):
    """A shopper pressed a "did you mean" button: the bot answers with that entry."""

    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        message = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        key = serializers.SlugField(max_length=64)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "BotSuggestionPick",
            {"message": serializers.IntegerField(), "key": serializers.CharField()},
        ),
        tags=["widget"],
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.user, VisitorPrincipal):
            raise Forbidden("Shoppers only.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = suggestions.suggestion_pick(
            actor=actor_from_request(request),
            message_id=data.validated_data["message"],
            key=data.validated_data["key"],
        )
        return Response({"message": answer.pk, "key": data.validated_data["key"]})
