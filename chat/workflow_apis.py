"""REST for the workspace's workflow tools: labels (list, bulk add and remove) and macros
(list, run)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import events, labels, macros
from .api_common import ConversationOut, IsAgent, actor_from_request


class LabelListApi(APIView):
    """Every label (id, name, colour): the workspace's filter and bulk action."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "LabelList", {"results": serializers.ListField(child=serializers.DictField())}
        ),
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        return Response({"results": labels.labels_list()})


class ConversationLabelsApi(APIView):
    """Add and remove labels on many conversations at once."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        conversations = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**62), max_length=200
        )
        add = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**62),
            required=False,
            max_length=50,
        )
        remove = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**62),
            required=False,
            max_length=50,
        )

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "LabelledConversations", {"results": ConversationOut(many=True)}
        ),
        tags=["conversations"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = labels.conversations_label(
            actor=actor_from_request(request),
            conversation_ids=data.validated_data["conversations"],
            add=data.validated_data.get("add", []),
            remove=data.validated_data.get("remove", []),
        )
        return Response({"results": [events.conversation_payload(c, staff=True) for c in changed]})


class MacroListApi(APIView):
    """Every macro (id, name): the composer's macro menu."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "MacroList", {"results": serializers.ListField(child=serializers.DictField())}
        ),
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        return Response({"results": macros.macros_list()})


class MacroRunApi(APIView):
    """Run a macro's actions on the conversation, all or nothing."""

    permission_classes = [IsAgent]

    @extend_schema(request=None, responses=ConversationOut(), tags=["conversations"])
    def post(self, request: Request, conversation_id: int, macro_id: int) -> Response:
        conversation = macros.macro_run(
            actor=actor_from_request(request), macro_id=macro_id, conversation_id=conversation_id
        )
        return Response(events.conversation_payload(labels.with_labels(conversation), staff=True))
