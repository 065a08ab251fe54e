"""URLs of the integration API, mounted under ``/api/``."""

from django.urls import path

from .apis import integration as i
from .apis import privacy as p

app_name = "orders"

api_urlpatterns = [
    path("v1/customers", i.CustomerUpsertApi.as_view(), name="customer-upsert"),
    path("v1/customers/<str:external_id>", i.CustomerDetailApi.as_view(), name="customer-detail"),
    path(
        "v1/customers/<str:external_id>/consent",
        i.CustomerConsentApi.as_view(),
        name="customer-consent",
    ),
    path(
        "v1/customers/<str:external_id>/export",
        p.CustomerExportApi.as_view(),
        name="customer-export",
    ),
    path(
        "v1/customers/<str:external_id>/erase", p.CustomerEraseApi.as_view(), name="customer-erase"
    ),
    path("v1/products", i.ProductUpsertApi.as_view(), name="product-upsert"),
    path("v1/products/<str:external_id>", i.ProductDetailApi.as_view(), name="product-detail"),
    path("v1/orders", i.OrderUpsertApi.as_view(), name="order-upsert"),
    path("v1/orders/bulk", i.OrdersBulkApi.as_view(), name="orders-bulk"),
    path("v1/orders/<str:external_id>", i.OrderDetailApi.as_view(), name="order-detail"),
    path("v1/orders/<str:external_id>/status", i.OrderStatusApi.as_view(), name="order-status"),
    path("v1/shipments", i.ShipmentUpsertApi.as_view(), name="shipment-upsert"),
    path("v1/shipments/<str:external_id>", i.ShipmentDetailApi.as_view(), name="shipment-detail"),
    path(
        "v1/shipments/<str:external_id>/events",
        i.ShipmentEventsApi.as_view(),
        name="shipment-events",
    ),
    path("v1/events", i.ShopBrowsingEventApi.as_view(), name="browsing-event"),
]
