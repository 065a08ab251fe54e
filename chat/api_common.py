"""What the REST views of every chat area share: who is asking, the agents-only permission,
the message and conversation shapes of the schema, and query-parameter checks."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from helpdesk.auth import VisitorPrincipal
from helpdesk.errors import BadRequest, Forbidden

from .access import Actor, is_agent


def actor_from_request(request: Request) -> Actor:
    """The actor behind a request: a shopper (visitor token) or an agent (session)."""
    user = request.user
    if isinstance(user, VisitorPrincipal):
        return Actor(visitor=user.visitor)
    if is_agent(user):
        return Actor(user=user)
    raise Forbidden("Agents only.")


class IsAgent(IsAuthenticated):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(is_agent(request.user))


MESSAGE_FIELDS: dict[str, Any] = {
    "id": serializers.IntegerField(),
    "conversation": serializers.IntegerField(),
    "seq": serializers.IntegerField(),
    "client_id": serializers.CharField(),
    "sender": serializers.DictField(),
    "kind": serializers.CharField(),
    "private": serializers.BooleanField(),
    "body": serializers.CharField(),
    "attachment": serializers.DictField(allow_null=True),
    "card": serializers.DictField(allow_null=True),
    "created_at": serializers.DateTimeField(),
}
CONVERSATION_FIELDS: dict[str, Any] = {
    "id": serializers.IntegerField(),
    "status": serializers.CharField(),
    "assignee": serializers.DictField(allow_null=True),
    "team": serializers.DictField(allow_null=True),
    "queue_position": serializers.IntegerField(allow_null=True),
    "last_seq": serializers.IntegerField(),
    # Rises with each published change: the newer of two payloads (docs/protocol.md).
    "version": serializers.IntegerField(),
}


def MessageOut(**kwargs: Any) -> Any:
    return inline_serializer("Message", dict(MESSAGE_FIELDS), **kwargs)


def ConversationOut(**kwargs: Any) -> Any:
    return inline_serializer("Conversation", dict(CONVERSATION_FIELDS), **kwargs)


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer.", fields={name: ["Invalid."]}) from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be {low}..{high}.", fields={name: ["Out of range."]})
    return value
