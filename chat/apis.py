"""REST transport for the widget and the workspace. Thin: parse, call one service or selector,
render with the shared payload builders."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.auth import DeskSessionAuthentication, VisitorTokenAuthentication
from helpdesk.errors import BadRequest

from . import events, labels, selectors
from .access import Actor, access_conversation
from .api_common import ConversationOut, IsAgent, MessageOut, actor_from_request, int_param
from .attributes.selectors import attribute_filter
from .priority.services import priority_value
from .services.conversations import conversation_assign, conversation_status_set
from .services.visitors import visitor_session


class WidgetSessionApi(APIView):
    """Start or resume a shopper's session (CONTRACT.md)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        visitor_token = serializers.CharField(required=False, allow_blank=True, max_length=512)
        identity = serializers.DictField(required=False, allow_null=True)
        page = serializers.DictField(required=False, allow_null=True)
        language = serializers.CharField(required=False, allow_blank=True, max_length=16)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "WidgetSession",
            {
                "visitor_token": serializers.CharField(),
                "visitor": serializers.DictField(),
                "conversation": serializers.DictField(allow_null=True),
            },
        ),
        tags=["widget"],
    )
    def post(self, request: Request) -> Response:
        valid = _session_input(request.data)
        if valid is None:
            # Anything the plain check does not take: the serializer's answer (and its errors).
            data = self.InputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            valid = data.validated_data
        language = valid.get("language") or (
            request.headers.get("Accept-Language", "").split(",")[0].strip()
        )
        visitor, token, conversation = visitor_session(
            token=valid.get("visitor_token") or None,
            identity=valid.get("identity"),
            page=valid.get("page"),
            language=language,
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(
            {
                "visitor_token": token,
                "visitor": {
                    "id": visitor.pk,
                    "name": visitor.display_name,
                    "verified": visitor.customer_id is not None,
                },
                "conversation": (
                    events.conversation_payload(conversation, staff=False) if conversation else None
                ),
            }
        )


# ``WidgetSessionApi.InputSerializer``'s text fields and their ``max_length``, read from it.
_SESSION_TEXT: dict[str, int | None] = {
    name: field.max_length
    for name, field in WidgetSessionApi.InputSerializer._declared_fields.items()
    if isinstance(field, serializers.CharField)
}


def _session_input(data: Any) -> dict[str, Any] | None:
    """``WidgetSessionApi.InputSerializer``'s ``validated_data`` for the plain bodies the widget
    sends (text fields as strings, ``identity`` and ``page`` objects or null), or None for
    anything else, which the serializer decides. Building that serializer (its fields are
    deep-copied for every instance) and running it was ~15 % of the session POST's thread
    CPU, in process (docs/performance.md, issue 13). Equal by construction to what the
    serializer gives for these bodies: unknown keys dropped, text stripped as ``CharField``
    strips it, dictionaries copied with their keys as strings; ``tests/chat/test_services.py``
    compares both on a set of bodies."""
    if not isinstance(data, dict):
        return None
    out: dict[str, Any] = {}
    for name, limit in _SESSION_TEXT.items():
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            return None
        value = value.strip()
        if (limit is not None and len(value) > limit) or not value.isprintable():
            return None
        out[name] = value
    for name in ("identity", "page"):
        if name not in data:
            continue
        value = data[name]
        if value is None:
            out[name] = None
        elif isinstance(value, dict):
            out[name] = {str(key): item for key, item in value.items()}
        else:
            return None
    return out


class MessageHistoryApi(APIView):
    """A conversation's messages after ``after_seq``, for agents and for its shopper."""

    authentication_classes = [VisitorTokenAuthentication, DeskSessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("after_seq", OpenApiTypes.INT, required=False),
            OpenApiParameter("limit", OpenApiTypes.INT, required=False),
        ],
        responses=inline_serializer(
            "MessageHistory",
            {
                "conversation": serializers.IntegerField(),
                "last_seq": serializers.IntegerField(),
                "messages": MessageOut(many=True),
                "has_more": serializers.BooleanField(),
            },
        ),
        tags=["conversations"],
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        actor = actor_from_request(request)
        limit = int_param(request, "limit", 200, 1, 500)
        conversation, messages = selectors.messages_after(
            actor=actor,
            conversation_id=conversation_id,
            after_seq=request.query_params.get("after_seq", "0"),
            limit=limit + 1,
        )
        has_more = len(messages) > limit
        messages = messages[:limit]
        return Response(
            {
                "conversation": conversation.pk,
                "last_seq": conversation.last_seq,
                "messages": [
                    events.message_payload(m, staff=actor.user is not None) for m in messages
                ],
                "has_more": has_more,
            }
        )


def _attribute_param(request: Request) -> Any:
    raw = request.query_params.get("attribute")
    return attribute_filter(raw[:200]) if raw else None


def _priority_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    return None if not raw else priority_value(raw, name)


class ConversationListApi(APIView):
    """The workspace's conversation list."""

    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[
            OpenApiParameter("view", OpenApiTypes.STR, enum=list(selectors.VIEWS)),
            OpenApiParameter("status", OpenApiTypes.STR),
            OpenApiParameter("q", OpenApiTypes.STR),
            OpenApiParameter("channel", OpenApiTypes.INT, description="Only this channel's"),
            OpenApiParameter("label", OpenApiTypes.INT, description="Only those with this label"),
            OpenApiParameter(
                "priority", OpenApiTypes.STR, enum=["none", "low", "medium", "high", "urgent"]
            ),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.SORTS)),
            OpenApiParameter(
                "attribute", OpenApiTypes.STR, description="<applies_to>.<key>:<value>"
            ),
            OpenApiParameter(
                "before_priority", OpenApiTypes.STR, description="The last row's, with sort"
            ),
            OpenApiParameter("before", OpenApiTypes.DATETIME),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=inline_serializer(
            "ConversationList",
            {"results": ConversationOut(many=True), "counts": serializers.DictField()},
        ),
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "open")
        before = request.query_params.get("before") or None
        if before:
            from django.utils.dateparse import parse_datetime

            try:
                parsed = parse_datetime(before)
            except ValueError:
                parsed = None
            if parsed is None:
                raise BadRequest("before must be an ISO datetime.", fields={"before": ["Invalid."]})
        conversations = selectors.conversations_for_agent(
            user=request.user,
            view=request.query_params.get("view", "all"),
            status=None if status == "any" else status,
            search=request.query_params.get("q", "")[:100],
            channel_id=int_param(request, "channel", 0, 0, 2**62) or None,
            label_id=int_param(request, "label", 0, 0, 2**62) or None,
            priority=_priority_param(request, "priority"),
            attribute=_attribute_param(request),
            limit=int_param(request, "limit", 50, 1, 200),
            before=before,
            sort=request.query_params.get("sort") or "recent",
            before_priority=_priority_param(request, "before_priority"),
        )
        results = []
        for conversation in conversations:
            payload = events.conversation_payload(conversation, staff=True)
            payload["unread"] = conversation.unread  # type: ignore[attr-defined]
            results.append(payload)
        return Response(
            {
                "results": results,
                "counts": selectors.conversation_counts_for_agent(user=request.user),
            }
        )


class ConversationDetailApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses=ConversationOut(), tags=["conversations"])
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = access_conversation(
            actor=actor_from_request(request), conversation_id=conversation_id
        )
        return Response(events.conversation_payload(labels.with_labels(conversation), staff=True))


class ConversationAssignApi(APIView):
    """Take, assign or transfer (``assignee``: an agent id, or null to unassign)."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        assignee = serializers.IntegerField(allow_null=True, min_value=1)

    @extend_schema(request=InputSerializer, responses=ConversationOut(), tags=["conversations"])
    def post(self, request: Request, conversation_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_assign(
            actor=actor_from_request(request),
            conversation_id=conversation_id,
            assignee_id=data.validated_data["assignee"],
        )
        return Response(events.conversation_payload(conversation, staff=True))


class ConversationStatusApi(APIView):
    """Resolve, reopen, mark pending or snooze."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["open", "pending", "snoozed", "resolved"])
        snoozed_until = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses=ConversationOut(), tags=["conversations"])
    def post(self, request: Request, conversation_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_status_set(
            actor=actor_from_request(request),
            conversation_id=conversation_id,
            status=data.validated_data["status"],
            snoozed_until=data.validated_data.get("snoozed_until"),
        )
        return Response(events.conversation_payload(conversation, staff=True))


class AgentListApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "Agent",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
            many=True,
        ),
        tags=["agents"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {"id": user.pk, "name": events.sender_name(Actor(user=user))}
                for user in selectors.agents_list()
            ]
        )
