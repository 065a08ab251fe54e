"""REST transport of custom attributes: the definitions, and a conversation's values."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..access import access_conversation
from ..api_common import IsAgent, actor_from_request
from ..models import Conversation
from .selectors import attributes_of, definitions_list
from .services import conversation_attributes_set

VALUES = inline_serializer(
    "ConversationAttributes",
    {
        "definitions": serializers.ListField(child=serializers.DictField()),
        "conversation": serializers.DictField(),
        "contact": serializers.DictField(),
    },
)


def _values(conversation: Conversation) -> dict[str, Any]:
    return {"definitions": definitions_list(), **attributes_of(conversation)}


class AttributeDefinitionListApi(APIView):
    """Every custom attribute: the sidebar's form and the list's filter."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "AttributeList", {"results": serializers.ListField(child=serializers.DictField())}
        ),
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        return Response({"results": definitions_list()})


class ConversationAttributesApi(APIView):
    """GET: the conversation's and its contact's values. POST ``{"conversation": {key:
    value}, "contact": {key: value}}`` (null or "" clears): all or none, ``400`` with the
    wrong ones in ``fields`` as ``"<applies_to>.<key>"``."""

    permission_classes = [IsAgent]

    @extend_schema(responses=VALUES, tags=["conversations"])
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = access_conversation(
            actor=actor_from_request(request), conversation_id=conversation_id
        )
        return Response(_values(conversation))

    @extend_schema(
        request=inline_serializer(
            "AttributeValuesIn",
            {
                "conversation": serializers.DictField(required=False),
                "contact": serializers.DictField(required=False),
            },
        ),
        responses=VALUES,
        tags=["conversations"],
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversation_attributes_set(
            actor=actor_from_request(request), conversation_id=conversation_id, values=request.data
        )
        return Response(_values(conversation))
