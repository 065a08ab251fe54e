"""Orders, their items, shipments and tracking events, as the shop reports them."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.links import validate_link

from .customers import Customer, Product


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        PROCESSING = "processing", _("Processing")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    external_id = models.CharField(_("external id"), max_length=128, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("number"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    url = models.CharField(
        _("order page URL"), max_length=500, blank=True, validators=[validate_link]
    )
    placed_at = models.DateTimeField(_("placed at"))
    # Set from the payload only, so a repeated upsert leaves the row exactly as it was.
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["customer", "-placed_at"], name="order_customer_placed")]

    def __str__(self) -> str:
        return self.number or self.external_id


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_external_id = models.CharField(max_length=128, blank=True)
    name = models.CharField(_("name"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    image_url = models.CharField(max_length=500, blank=True, validators=[validate_link])

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_item_position")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"


class Shipment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        DELAYED = "delayed", _("Delayed")
        EXCEPTION = "exception", _("Delivery problem")
        RETURNED = "returned", _("Returned")

    external_id = models.CharField(_("external id"), max_length=128, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    tracking_url = models.CharField(
        _("tracking URL"), max_length=500, blank=True, validators=[validate_link]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    estimated_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}".strip() or self.external_id


class ShipmentEvent(models.Model):
    """One tracking scan. Unique on (shipment, time, status) so a repeated report is a no-op."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Shipment.Status.choices)
    description = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "occurred_at", "status"], name="shipment_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


class OrderAlert(models.Model):
    """A problem the shopper is told about once: a cancelled order, a delayed shipment.

    The unique key makes concurrent or repeated reports of the same problem alert once.
    """

    class Kind(models.TextChoices):
        ORDER_CANCELLED = "order.cancelled", _("Order cancelled")
        SHIPMENT_DELAYED = "shipment.delayed", _("Shipment delayed")
        SHIPMENT_EXCEPTION = "shipment.exception", _("Delivery problem")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="alerts")
    # The shipment's external id for shipment alerts, "" for order alerts.
    key = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "order", "key"], name="order_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.order_id} {self.key}".strip()
