"""REST for canned replies: the composer's ``/`` search, personal replies, filling."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import IsAgent, actor_from_request
from chat.models import CannedReply

from . import selectors, services

CANNED_FIELDS: dict[str, Any] = {
    "id": serializers.IntegerField(),
    "shortcut": serializers.CharField(),
    "title": serializers.CharField(),
    "body": serializers.CharField(),
    "shared": serializers.BooleanField(),
}
CannedOut = inline_serializer("CannedReply", dict(CANNED_FIELDS))


def canned_payload(reply: CannedReply) -> dict[str, Any]:
    return {
        "id": reply.pk,
        "shortcut": reply.shortcut,
        "title": reply.title,
        "body": reply.body,
        "shared": reply.owner_id is None,
    }


class CannedListApi(APIView):
    """Search shared and own replies (``q``: shortcut prefix, title or text), or create a
    personal one."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        shortcut = serializers.CharField(max_length=41)
        title = serializers.CharField(required=False, allow_blank=True, max_length=120)
        body = serializers.CharField(max_length=services.MAX_BODY)

        class Meta:
            ref_name = "CannedCreate"

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=False),
            OpenApiParameter("limit", OpenApiTypes.INT, required=False),
        ],
        responses=inline_serializer(
            "CannedList",
            {"results": inline_serializer("CannedReplyItem", dict(CANNED_FIELDS), many=True)},
        ),
        tags=["canned"],
    )
    def get(self, request: Request) -> Response:
        raw_limit = request.query_params.get("limit", "20")
        limit = int(raw_limit) if raw_limit.isdigit() and len(raw_limit) < 4 else 20
        replies = selectors.canned_search(
            user=request.user, query=request.query_params.get("q", ""), limit=limit
        )
        return Response({"results": [canned_payload(r) for r in replies]})

    @extend_schema(request=InputSerializer, responses={201: CannedOut}, tags=["canned"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.canned_create(user=request.user, **data.validated_data)
        return Response(canned_payload(reply), status=201)


class CannedDetailApi(APIView):
    """Change or delete one of the agent's own replies."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        shortcut = serializers.CharField(required=False, max_length=41)
        title = serializers.CharField(required=False, allow_blank=True, max_length=120)
        body = serializers.CharField(required=False, max_length=services.MAX_BODY)

        class Meta:
            ref_name = "CannedUpdate"

    @extend_schema(request=InputSerializer, responses=CannedOut, tags=["canned"])
    def patch(self, request: Request, canned_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.canned_update(
            user=request.user, canned_id=canned_id, **data.validated_data
        )
        return Response(canned_payload(reply))

    @extend_schema(responses={204: None}, tags=["canned"])
    def delete(self, request: Request, canned_id: int) -> Response:
        services.canned_delete(user=request.user, canned_id=canned_id)
        return Response(status=204)


class CannedRenderApi(APIView):
    """A reply's text with the placeholders filled from the conversation's sidebar data."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        conversation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

        class Meta:
            ref_name = "CannedRenderInput"

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "CannedRendered",
            {
                "body": serializers.CharField(),
                "missing": serializers.ListField(child=serializers.CharField()),
            },
        ),
        tags=["canned"],
    )
    def post(self, request: Request, canned_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body, missing = selectors.canned_render(
            actor=actor_from_request(request),
            canned_id=canned_id,
            conversation_id=data.validated_data["conversation"],
        )
        return Response({"body": body, "missing": missing})
