"""Translation's REST endpoints for the workspace (docs/translation.md, docs/protocol.md):
a conversation's switch, and the signed-in agent's translation language."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import IsAgent, actor_from_request
from chat.models.translation import TRANSLATION_LANGUAGES

from . import services, switches
from .providers import translation_enabled

SwitchOut = inline_serializer(
    "ConversationTranslationOut",
    {
        "conversation": serializers.IntegerField(),
        "available": serializers.BooleanField(),
        "enabled": serializers.BooleanField(),
        "shopper_language": serializers.CharField(allow_null=True),
    },
)
LanguageOut = inline_serializer(
    "AgentTranslationLanguageOut",
    {
        "available": serializers.BooleanField(),
        "language": serializers.CharField(),
        "effective": serializers.CharField(),
        "languages": serializers.ListField(child=serializers.DictField()),
    },
)


class ConversationTranslationApi(APIView):
    """``GET``: whether messages of this conversation are translated; ``POST {"enabled"}``
    switches it (staff watching hear ``conversation.translation``)."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        enabled = serializers.BooleanField()

    @extend_schema(responses=SwitchOut, tags=["translation"])
    def get(self, request: Request, conversation_id: int) -> Response:
        return Response(
            switches.conversation_translation_get(
                actor=actor_from_request(request), conversation_id=conversation_id
            )
        )

    @extend_schema(request=InputSerializer, responses=SwitchOut, tags=["translation"])
    def post(self, request: Request, conversation_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = actor_from_request(request)
        switches.conversation_translation_set(
            actor=actor, conversation_id=conversation_id, enabled=data.validated_data["enabled"]
        )
        return Response(
            switches.conversation_translation_get(actor=actor, conversation_id=conversation_id)
        )


def _language_payload(language: str) -> dict[str, object]:
    return {
        "available": translation_enabled(),
        "language": language,
        "effective": services.language_code(language) or services.desk_language(),
        "languages": [{"code": code, "name": str(label)} for code, label in TRANSLATION_LANGUAGES],
    }


class AgentTranslationLanguageApi(APIView):
    """``GET``/``POST {"language"}``: the language shoppers' messages are shown to the signed-in
    agent in ('' : the desk's)."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        language = serializers.CharField(allow_blank=True, max_length=16)

    @extend_schema(responses=LanguageOut, tags=["translation"])
    def get(self, request: Request) -> Response:
        profile = getattr(request.user, "agent_profile", None)
        return Response(_language_payload(getattr(profile, "language", "") or ""))

    @extend_schema(request=InputSerializer, responses=LanguageOut, tags=["translation"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = switches.agent_language_set(
            user=request.user, language=data.validated_data["language"]
        )
        return Response(_language_payload(profile.language))
