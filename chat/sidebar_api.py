"""The agent's customer sidebar, cards, flags, and the widget's browsing reports.

Agent endpoints go through the one access function; the customer's data is read through
``orders.selectors`` (chat reads orders, never the other way). The sidebar read is a fixed
number of queries whatever the customer's history (tests/orders/test_sidebar.py pins it).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from helpdesk.auth import VisitorPrincipal, VisitorTokenAuthentication
from helpdesk.errors import Forbidden
from helpdesk.links import LinkField
from orders import selectors as order_selectors
from orders import services as order_services

from . import events
from .access import access_conversation
from .api_common import IsAgent, MessageOut, actor_from_request
from .cards import CARD_TYPES, card_send
from .order_notices import conversation_flag_clear
from .sidebar import conversation_sidebar, visitor_page_record

SIDEBAR_OUT = inline_serializer(
    "CustomerSidebar",
    {
        "conversation": serializers.IntegerField(),
        "visitor": serializers.DictField(),
        "customer": serializers.DictField(allow_null=True),
        "stats": serializers.DictField(allow_null=True),
        "orders": serializers.ListField(child=serializers.DictField()),
        "recently_viewed": serializers.ListField(child=serializers.DictField()),
        "previous_conversations": serializers.ListField(child=serializers.DictField()),
    },
)


class ConversationCustomerApi(APIView):
    """The sidebar: GET reads it, PATCH edits the customer's tags and notes."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        tags = serializers.ListField(
            child=serializers.CharField(max_length=40), required=False, max_length=20
        )
        notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(responses=SIDEBAR_OUT, tags=["conversations"], summary="Customer sidebar")
    def get(self, request: Request, conversation_id: int) -> Response:
        actor = actor_from_request(request)
        return Response(conversation_sidebar(actor=actor, conversation_id=conversation_id))

    @extend_schema(
        request=InputSerializer,
        responses=SIDEBAR_OUT,
        tags=["conversations"],
        summary="Edit the customer's tags and notes",
    )
    def patch(self, request: Request, conversation_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = actor_from_request(request)
        conversation = access_conversation(actor=actor, conversation_id=conversation_id)
        customer_id = conversation.customer_id or conversation.visitor.customer_id
        if customer_id is None:
            raise Forbidden("This shopper is not a known customer yet.")
        order_services.customer_profile_update(
            customer_id=customer_id,
            tags=data.validated_data.get("tags"),
            notes=data.validated_data.get("notes"),
        )
        return Response(conversation_sidebar(actor=actor, conversation_id=conversation_id))


class ConversationCardApi(APIView):
    """Send an order or product card into the conversation."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=CARD_TYPES)
        id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        client_id = serializers.CharField(max_length=64)

    @extend_schema(request=InputSerializer, responses={201: MessageOut()}, tags=["conversations"])
    def post(self, request: Request, conversation_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = card_send(
            actor=actor_from_request(request),
            conversation_id=conversation_id,
            card_type=data.validated_data["type"],
            ref_id=data.validated_data["id"],
            client_id=data.validated_data["client_id"],
        )
        return Response(
            events.message_payload(message),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConversationFlagApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=None, responses={204: None}, tags=["conversations"])
    def delete(self, request: Request, conversation_id: int) -> Response:
        conversation_flag_clear(actor=actor_from_request(request), conversation_id=conversation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CatalogSearchApi(APIView):
    """Products an agent can send as a card."""

    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=False)],
        responses=OpenApiTypes.OBJECT,
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "")[:100]
        return Response({"results": order_selectors.products_search(query=query)})


class BrowsingThrottle(SimpleRateThrottle):
    """A browser reports a page at a time; 120 a minute is far above any person's pace."""

    rate = "120/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        principal = request.user
        if not isinstance(principal, VisitorPrincipal):
            return None
        return f"browsing-events:{principal.visitor.pk}"


class WidgetBrowsingEventApi(APIView):
    """The widget reports a page view, product view or add-to-cart (``Visitor`` auth)."""

    authentication_classes = [VisitorTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [BrowsingThrottle]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=order_selectors.BROWSING_KINDS)
        url = LinkField(required=False, allow_blank=True, max_length=1000)
        title = serializers.CharField(required=False, allow_blank=True, max_length=300)
        product = serializers.CharField(
            required=False, allow_blank=True, max_length=128, help_text="Product external_id."
        )
        occurred_at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={204: None}, tags=["widget"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        principal = request.user
        if not isinstance(principal, VisitorPrincipal):
            raise Forbidden("Shoppers only.")
        values = data.validated_data
        visitor_page_record(
            visitor=principal.visitor,
            kind=values["kind"],
            url=values.get("url", ""),
            title=values.get("title", ""),
            product=values.get("product", ""),
            occurred_at=values.get("occurred_at"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path(
        "v1/conversations/<int:conversation_id>/customer",
        ConversationCustomerApi.as_view(),
        name="conversation-customer",
    ),
    path(
        "v1/conversations/<int:conversation_id>/cards",
        ConversationCardApi.as_view(),
        name="conversation-cards",
    ),
    path(
        "v1/conversations/<int:conversation_id>/flag",
        ConversationFlagApi.as_view(),
        name="conversation-flag",
    ),
    path("v1/catalog", CatalogSearchApi.as_view(), name="catalog-search"),
    path("widget/events", WidgetBrowsingEventApi.as_view(), name="widget-events"),
]
