"""REST for satisfaction ratings (the widget)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import actor_from_request
from helpdesk.auth import VisitorTokenAuthentication

from . import services


class CsatSubmitApi(APIView):
    """The shopper rates the resolved conversation (1-5 stars, optional comment), once per
    resolution."""

    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        conversation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(
            required=False, allow_blank=True, max_length=services.MAX_COMMENT
        )

        class Meta:
            ref_name = "CsatInput"

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "CsatStored",
                {
                    "id": serializers.IntegerField(),
                    "conversation": serializers.IntegerField(),
                    "rating": serializers.IntegerField(),
                    "comment": serializers.CharField(),
                    "created_at": serializers.DateTimeField(),
                },
            )
        },
        tags=["widget"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        stored = services.csat_submit(
            actor=actor_from_request(request),
            conversation_id=values["conversation"],
            rating=values["rating"],
            comment=values.get("comment", ""),
        )
        return Response(
            {
                "id": stored.pk,
                "conversation": stored.conversation_id,
                "rating": stored.rating,
                "comment": stored.comment,
                "created_at": stored.created_at.isoformat(),
            },
            status=201,
        )
