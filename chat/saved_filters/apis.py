"""REST for saved filters: ``/api/v1/saved-filters/`` (list, save) and ``/{id}`` (delete)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import IsAgent

from . import services

SavedOut = inline_serializer(
    "SavedFilter",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "shared": serializers.BooleanField(),
        "mine": serializers.BooleanField(),
        "owner": serializers.DictField(),
        "filters": serializers.DictField(),
    },
)


class SavedFilterListApi(APIView):
    """The agent's saved filters and the team's shared ones; POST saves (or replaces by name)."""

    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer("SavedFilterList", {"results": SavedOut}), tags=["filters"]
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"results": [services.payload(s, user) for s in services.visible_to(user)]})

    @extend_schema(
        request=inline_serializer(
            "SavedFilterIn",
            {
                "name": serializers.CharField(),
                "shared": serializers.BooleanField(required=False),
                "filters": serializers.DictField(),
            },
        ),
        responses=SavedOut,
        tags=["filters"],
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data if isinstance(request.data, dict) else {}
        saved = services.saved_filter_save(
            user=request.user,
            name=data.get("name"),
            filters=data.get("filters", {}),
            shared=data.get("shared", False),
        )
        return Response(services.payload(saved, request.user), status=201)


class SavedFilterDetailApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses={204: None}, tags=["filters"])
    def delete(self, request: Request, saved_id: int) -> Response:
        services.saved_filter_delete(user=request.user, saved_id=saved_id)
        return Response(status=204)
