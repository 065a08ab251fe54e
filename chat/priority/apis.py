"""REST transport of priorities: set one on a conversation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import events, labels
from ..api_common import ConversationOut, IsAgent, actor_from_request
from .services import NAMES, conversation_priority_set


class ConversationPriorityApi(APIView):
    """Set the conversation's priority: ``{"priority": "none|low|medium|high|urgent"}``."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        priority = serializers.ChoiceField(choices=list(NAMES))

    @extend_schema(request=InputSerializer, responses=ConversationOut(), tags=["conversations"])
    def post(self, request: Request, conversation_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_priority_set(
            actor=actor_from_request(request),
            conversation_id=conversation_id,
            priority=data.validated_data["priority"],
        )
        return Response(events.conversation_payload(labels.with_labels(conversation), staff=True))
