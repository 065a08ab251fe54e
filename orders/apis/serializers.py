"""Input and output shapes of the integration API (validation and the OpenAPI schema)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from helpdesk.links import LinkField

from ..models import BrowsingEvent, Customer, Order, Shipment


def key_field(**kwargs: Any) -> serializers.CharField:
    """A shop's ``external_id`` (1 to 128 characters)."""
    return serializers.CharField(max_length=128, min_length=1, **kwargs)


def money_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), **kwargs
    )


class CustomerIn(serializers.Serializer):
    external_id = key_field()
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    language = serializers.CharField(required=False, allow_blank=True, max_length=16)
    vip_tier = serializers.ChoiceField(choices=Customer.Tier.values, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )
    marketing_consent = serializers.BooleanField(required=False)
    consent_source = serializers.CharField(required=False, allow_blank=True, max_length=100)
    consent_at = serializers.DateTimeField(required=False)


class ConsentIn(serializers.Serializer):
    granted = serializers.BooleanField()
    source = serializers.CharField(max_length=100)  # type: ignore[assignment]
    at = serializers.DateTimeField(required=False)


class ProductIn(serializers.Serializer):
    external_id = key_field()
    name = serializers.CharField(required=False, max_length=300)
    slug = serializers.SlugField(required=False, max_length=250)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    price = money_field(required=False)
    currency = serializers.CharField(required=False, min_length=3, max_length=3)
    image_url = LinkField(required=False, allow_blank=True, max_length=500)
    url = LinkField(required=False, allow_blank=True, max_length=500)
    active = serializers.BooleanField(required=False)


class OrderItemIn(serializers.Serializer):
    product = serializers.CharField(required=False, allow_blank=True, max_length=128)
    name = serializers.CharField(max_length=300)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    unit_price = money_field(required=False)
    image_url = LinkField(required=False, allow_blank=True, max_length=500)


class OrderIn(serializers.Serializer):
    external_id = key_field()
    customer = key_field(help_text="The customer's external_id.")
    number = serializers.CharField(required=False, allow_blank=True, max_length=64)
    status = serializers.ChoiceField(choices=Order.Status.values)
    currency = serializers.CharField(required=False, min_length=3, max_length=3)
    total = money_field(required=False)
    url = LinkField(required=False, allow_blank=True, max_length=500)
    placed_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField(required=False)
    items = OrderItemIn(many=True, required=False, max_length=200)  # type: ignore[call-arg]


class OrdersBulkIn(serializers.Serializer):
    orders = OrderIn(many=True, allow_empty=False, max_length=5000)  # type: ignore[call-arg]


class OrderStatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.values)


class TrackingEventIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Shipment.Status.values)
    description = serializers.CharField(required=False, allow_blank=True, max_length=300)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    occurred_at = serializers.DateTimeField()


class ShipmentIn(serializers.Serializer):
    external_id = key_field()
    order = key_field(help_text="The order's external_id.")
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tracking_url = LinkField(required=False, allow_blank=True, max_length=500)
    status = serializers.ChoiceField(choices=Shipment.Status.values)
    estimated_delivery = serializers.DateField(required=False, allow_null=True)
    shipped_at = serializers.DateTimeField(required=False, allow_null=True)
    events = TrackingEventIn(many=True, required=False, max_length=500)  # type: ignore[call-arg]


class TrackingEventsIn(serializers.Serializer):
    events = TrackingEventIn(many=True, allow_empty=False, max_length=500)  # type: ignore[call-arg]


class BrowsingEventIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BrowsingEvent.Kind.values)
    url = LinkField(required=False, allow_blank=True, max_length=1000)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    product = serializers.CharField(
        required=False, allow_blank=True, max_length=128, help_text="Product external_id."
    )
    occurred_at = serializers.DateTimeField(required=False)


class ShopBrowsingEventIn(BrowsingEventIn):
    customer = key_field(help_text="The customer's external_id.")


# --- output (schema) ----------------------------------------------------------------------


class CustomerOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    language = serializers.CharField()
    vip_tier = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()
    marketing_consent = serializers.BooleanField()
    order_notices_opt_out = serializers.BooleanField()
    erased = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    price = serializers.CharField()
    currency = serializers.CharField()
    image_url = serializers.CharField()
    url = serializers.CharField()
    active = serializers.BooleanField()


class TrackingEventOut(serializers.Serializer):
    status = serializers.CharField()
    description = serializers.CharField()
    location = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class ShipmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    tracking_url = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    estimated_delivery = serializers.DateField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    latest_event = TrackingEventOut(allow_null=True)
    events = TrackingEventOut(many=True, required=False)


class OrderItemOut(serializers.Serializer):
    product = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField()
    image_url = serializers.CharField()


class OrderOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    customer = serializers.CharField(allow_null=True)
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.CharField()
    url = serializers.CharField()
    placed_at = serializers.DateTimeField()
    items = OrderItemOut(many=True)
    shipments = ShipmentOut(many=True)


class UpsertResultOut(serializers.Serializer):
    external_id = serializers.CharField()
    id = serializers.IntegerField()
    created = serializers.BooleanField()


class BulkResultOut(serializers.Serializer):
    count = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    results = UpsertResultOut(many=True)
