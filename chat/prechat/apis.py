"""REST transport of the pre-chat form, for the widget (visitor token)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.auth import VisitorTokenAuthentication

from ..api_common import actor_from_request
from .services import prechat_form_for, prechat_submit


def _language(request: Request) -> str:
    lang = str(request.query_params.get("lang", ""))
    return "zh-hans" if lang.lower().startswith("zh") else (lang and "en") or ""


class PrechatApi(APIView):
    """GET: the form the shopper should fill in first (``{"form": null}`` when none). POST
    ``{"values": {field: value}}``: store the answers, or ``400`` with the wrong fields."""

    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("lang", OpenApiTypes.STR)],
        responses=inline_serializer(
            "PrechatForm", {"form": serializers.DictField(allow_null=True)}
        ),
        tags=["widget"],
    )
    def get(self, request: Request) -> Response:
        visitor: Any = actor_from_request(request).visitor
        with translation.override(_language(request)):
            return Response({"form": prechat_form_for(visitor=visitor)})

    @extend_schema(
        parameters=[OpenApiParameter("lang", OpenApiTypes.STR)],
        request=inline_serializer("PrechatAnswers", {"values": serializers.DictField()}),
        responses=inline_serializer("PrechatStored", {"ok": serializers.BooleanField()}),
        tags=["widget"],
    )
    def post(self, request: Request) -> Response:
        visitor: Any = actor_from_request(request).visitor
        body = request.data if isinstance(request.data, dict) else {}
        with translation.override(_language(request)):
            prechat_submit(visitor=visitor, values=body.get("values"))
        return Response({"ok": True})
