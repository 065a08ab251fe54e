"""REST for the agents' message search: ``GET /api/v1/search/messages?q=``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import events
from chat.api_common import IsAgent, int_param
from chat.models import Message

from .messages import highlight, search_messages
from .segment import clean_query, query_words

MAX_QUERY = 100


def hit_payload(message: Message, words: list[str]) -> dict[str, Any]:
    return {
        "message": {
            "id": message.pk,
            "conversation": message.conversation_id,
            "seq": message.seq,
            "kind": message.kind,
            "private": message.private,
            "sender": {"kind": message.sender_kind, "name": message.sender_name},
            "created_at": events.isoformat(message.created_at),
        },
        "conversation": events.conversation_payload(message.conversation, staff=True),
        **highlight(message.body, words),
    }


class MessageSearchApi(APIView):
    """Messages and private notes containing every word of ``q``, newest first."""

    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words (English or Chinese)."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1..50, default 20."),
        ],
        responses=inline_serializer(
            "MessageSearch",
            {
                "query": serializers.CharField(),
                "words": serializers.ListField(child=serializers.CharField()),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        query = clean_query(request.query_params.get("q", ""))[:MAX_QUERY]
        limit = int_param(request, "limit", 20, 1, 50)
        words = query_words(query)
        hits = search_messages(query=query, limit=limit) if words else []
        return Response(
            {
                "query": query,
                "words": words,
                "results": [hit_payload(message, words) for message in hits],
            }
        )
