"""Admin: customers (with export / erase actions), catalogue, orders, shipments, API tokens."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import privacy
from .models import (
    ApiToken,
    ConsentRecord,
    Customer,
    Order,
    OrderItem,
    Product,
    Shipment,
    ShipmentEvent,
)


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = ["granted", "source", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "email", "vip_tier", "marketing_consent", "created_at"]
    list_filter = ["vip_tier", "marketing_consent", "order_notices_opt_out"]
    search_fields = ["external_id", "name", "email"]
    readonly_fields = ["marketing_consent", "erased_at", "created_at", "updated_at"]
    inlines = [ConsentInline]
    actions = ["export_json", "erase"]

    @admin.action(description=_("Export selected customers' data (JSON)"))
    def export_json(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse:
        data = [
            privacy.customer_export(customer=c, by_user_id=request.user.pk) for c in queryset[:100]
        ]
        body = json.dumps(data if len(data) != 1 else data[0], ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        first = queryset.first()
        name = (first.external_id or "") if first is not None and len(data) == 1 else "customers"
        safe = "".join(ch for ch in name if ch.isalnum() or ch in "-_")[:60] or "customer"
        response["Content-Disposition"] = f'attachment; filename="export-{safe}.json"'
        return response

    @admin.action(description=_("Erase selected customers' personal data"))
    def erase(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        count = 0
        for customer in queryset.filter(erased_at__isnull=True):
            privacy.customer_erase(customer=customer, by_user_id=request.user.pk)
            count += 1
        self.message_user(
            request,
            ngettext("Erased %(n)d customer.", "Erased %(n)d customers.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "price", "currency", "active"]
    search_fields = ["external_id", "name"]
    prepopulated_fields = {"slug": ["name"]}


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    raw_id_fields = ["product"]


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0
    fields = ["external_id", "carrier", "tracking_number", "status", "estimated_delivery"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "number", "customer", "status", "total", "currency", "placed_at"]
    list_filter = ["status"]
    search_fields = ["external_id", "number", "customer__external_id", "customer__email"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]
    inlines = [OrderItemInline, ShipmentInline]


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["external_id", "order", "carrier", "tracking_number", "status"]
    list_filter = ["status", "carrier"]
    search_fields = ["external_id", "tracking_number", "order__external_id"]
    raw_id_fields = ["order"]
    inlines = [ShipmentEventInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The key is shown once, in the message after saving a new token."""

    list_display = ["name", "prefix", "scope", "active", "created_at", "last_used_at"]
    list_filter = ["scope", "active"]
    fields = ["name", "scope", "active", "prefix", "created_by", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        key = None
        if not change:
            key = obj.set_new_key()
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        if key is not None:
            self.message_user(
                request,
                _("Token created. Copy the key now, it will not be shown again: %(key)s")
                % {"key": key},
                messages.WARNING,
            )
