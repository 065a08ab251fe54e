"""The shop's integration API: upserts keyed by ``external_id``, token auth with scopes.

Thin views: validate with the input serializer, call one service or selector, render with the
selectors' payload builders. Every bad payload is a 4xx with field errors (helpdesk.errors).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.errors import NotFound

from .. import selectors, services
from ..auth import ShopTokenAuthentication, TokenScope
from . import serializers as s

TAGS = ["integration"]


class ShopApi(APIView):
    authentication_classes = [ShopTokenAuthentication]
    permission_classes = [TokenScope]

    def valid(self, serializer_class: type[serializers.Serializer], request: Request) -> Any:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def key_or_404(external_id: str) -> str:
    if not external_id or len(external_id) > 128:
        raise NotFound("Not found.")
    return external_id


def upsert_status(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


class CustomerUpsertApi(ShopApi):
    @extend_schema(
        request=s.CustomerIn,
        responses={200: s.CustomerOut, 201: s.CustomerOut},
        tags=TAGS,
        summary="Create or update a customer",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(s.CustomerIn, request)
        customer, created = services.customer_upsert(external_id=data.pop("external_id"), data=data)
        return Response(selectors.customer_payload(customer), status=upsert_status(created))


class CustomerDetailApi(ShopApi):
    @extend_schema(responses=s.CustomerOut, tags=TAGS, summary="A customer")
    def get(self, request: Request, external_id: str) -> Response:
        customer = selectors.customer_by_external_id(key_or_404(external_id))
        return Response(selectors.customer_payload(customer))


class CustomerConsentApi(ShopApi):
    @extend_schema(
        request=s.ConsentIn,
        responses=s.CustomerOut,
        tags=TAGS,
        summary="Record marketing consent (time and source)",
    )
    def post(self, request: Request, external_id: str) -> Response:
        data = self.valid(s.ConsentIn, request)
        customer = selectors.customer_by_external_id(key_or_404(external_id))
        services.consent_set(
            customer=customer, granted=data["granted"], source=data["source"], at=data.get("at")
        )
        return Response(selectors.customer_payload(customer))


class ProductUpsertApi(ShopApi):
    @extend_schema(
        request=s.ProductIn,
        responses={200: s.ProductOut, 201: s.ProductOut},
        tags=TAGS,
        summary="Create or update a product",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(s.ProductIn, request)
        product, created = services.product_upsert(external_id=data.pop("external_id"), data=data)
        return Response(selectors.product_payload(product), status=upsert_status(created))


class ProductDetailApi(ShopApi):
    @extend_schema(responses=s.ProductOut, tags=TAGS, summary="A product")
    def get(self, request: Request, external_id: str) -> Response:
        product = selectors.product_detail(external_id=key_or_404(external_id))
        return Response(selectors.product_payload(product))


class OrderUpsertApi(ShopApi):
    @extend_schema(
        request=s.OrderIn,
        responses={200: s.OrderOut, 201: s.OrderOut},
        tags=TAGS,
        summary="Create or update an order with its items",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(s.OrderIn, request)
        (result,) = services.orders_upsert(orders=[data])
        order = selectors.order_detail(pk=result.id)
        return Response(selectors.order_payload(order), status=upsert_status(result.created))


class OrdersBulkApi(ShopApi):
    @extend_schema(
        request=s.OrdersBulkIn,
        responses=s.BulkResultOut,
        tags=TAGS,
        summary="Create or update up to 5,000 orders in one call",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(s.OrdersBulkIn, request)
        results = services.orders_upsert(orders=[dict(o) for o in data["orders"]])
        created = sum(1 for r in results if r.created)
        return Response(
            {
                "count": len(results),
                "created": created,
                "updated": len(results) - created,
                "results": [
                    {"external_id": r.external_id, "id": r.id, "created": r.created}
                    for r in results
                ],
            }
        )


class OrderDetailApi(ShopApi):
    @extend_schema(responses=s.OrderOut, tags=TAGS, summary="An order with items and shipments")
    def get(self, request: Request, external_id: str) -> Response:
        order = selectors.order_detail(external_id=key_or_404(external_id))
        return Response(selectors.order_payload(order, all_events=True))


class OrderStatusApi(ShopApi):
    @extend_schema(
        request=s.OrderStatusIn, responses=s.OrderOut, tags=TAGS, summary="Change an order's status"
    )
    def post(self, request: Request, external_id: str) -> Response:
        data = self.valid(s.OrderStatusIn, request)
        order = services.order_status_set(
            external_id=key_or_404(external_id), status=data["status"]
        )
        return Response(selectors.order_payload(selectors.order_detail(pk=order.pk)))


class ShipmentUpsertApi(ShopApi):
    @extend_schema(
        request=s.ShipmentIn,
        responses={200: s.ShipmentOut, 201: s.ShipmentOut},
        tags=TAGS,
        summary="Create or update a shipment with tracking events",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(s.ShipmentIn, request)
        shipment, created = services.shipment_upsert(external_id=data.pop("external_id"), data=data)
        detail = selectors.shipment_detail(external_id=shipment.external_id)
        return Response(
            selectors.shipment_payload(detail, all_events=True), status=upsert_status(created)
        )


class ShipmentDetailApi(ShopApi):
    @extend_schema(responses=s.ShipmentOut, tags=TAGS, summary="A shipment with tracking events")
    def get(self, request: Request, external_id: str) -> Response:
        shipment = selectors.shipment_detail(external_id=key_or_404(external_id))
        return Response(selectors.shipment_payload(shipment, all_events=True))


class ShipmentEventsApi(ShopApi):
    @extend_schema(
        request=s.TrackingEventsIn,
        responses=s.ShipmentOut,
        tags=TAGS,
        summary="Add tracking events to a shipment",
    )
    def post(self, request: Request, external_id: str) -> Response:
        data = self.valid(s.TrackingEventsIn, request)
        shipment = services.shipment_events_add(
            external_id=key_or_404(external_id), tracking=[dict(e) for e in data["events"]]
        )
        detail = selectors.shipment_detail(external_id=shipment.external_id)
        return Response(selectors.shipment_payload(detail, all_events=True))


class ShopBrowsingEventApi(ShopApi):
    @extend_schema(
        request=s.ShopBrowsingEventIn,
        responses={201: None},
        tags=TAGS,
        summary="Record a customer's browsing event (product viewed, added to cart)",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(s.ShopBrowsingEventIn, request)
        customer = selectors.customer_by_external_id(data["customer"])
        services.browsing_event_record(
            kind=data["kind"],
            url=data.get("url", ""),
            title=data.get("title", ""),
            customer_id=customer.pk,
            product_external_id=data.get("product", ""),
            occurred_at=data.get("occurred_at"),
        )
        return Response(status=status.HTTP_201_CREATED)
