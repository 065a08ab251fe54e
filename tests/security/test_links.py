"""Links from data are refused where they are stored unless http(s) or a path on the shop."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from chat.models import Visitor
from helpdesk.links import link_problem
from orders import services
from orders.models import BrowsingEvent, Order, Product, Shipment
from tests.factories import make_visitor, order_payload, visitor_token

pytestmark = pytest.mark.django_db

HOSTILE = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "https://shop.example/\x00",
]
SAFE = [
    "",
    "https://shop.example/p/mug/",
    "http://shop/p/mug/",
    "/account/orders/7/",
    "//cdn.example/a.png",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_links_are_named(url: str) -> None:
    assert link_problem(url)


@pytest.mark.parametrize("url", SAFE)
def test_http_and_relative_links_pass(url: str) -> None:
    assert link_problem(url) is None


def _shop() -> APIClient:
    from tests.factories import make_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token()}")
    return client


def test_widget_session_refuses_a_script_page_url() -> None:
    client = APIClient()
    response = client.post(
        "/api/widget/session",
        {"page": {"url": "javascript:alert(document.cookie)", "title": "x"}},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "page.url" in response.json()["fields"]
    assert not Visitor.objects.filter(current_url__startswith="javascript").exists()
    ok = client.post("/api/widget/session", {"page": {"url": "https://shop/p/a/"}}, format="json")
    assert ok.status_code in (200, 201), ok.content


def test_widget_browsing_event_refuses_a_script_url() -> None:
    visitor = make_visitor()
    shopper = APIClient()
    shopper.credentials(HTTP_AUTHORIZATION=f"Visitor {visitor_token(visitor)}")
    response = shopper.post(
        "/api/widget/events", {"kind": "page_view", "url": " javascript:alert(1)"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "url" in response.json()["fields"]
    visitor.refresh_from_db()
    assert visitor.current_url == ""
    assert not BrowsingEvent.objects.exists()


def test_integration_api_refuses_script_links_by_field() -> None:
    shop = _shop()
    assert shop.post("/api/v1/customers", {"external_id": "c-1"}, format="json").status_code == 201
    assert shop.post("/api/v1/orders", order_payload(), format="json").status_code == 201
    shipment = {
        "external_id": "s-1",
        "order": "o-1",
        "status": "in_transit",
        "tracking_url": "javascript:alert(1)",
    }
    response = shop.post("/api/v1/shipments", shipment, format="json")
    assert response.status_code == 400, response.content
    assert "tracking_url" in response.json()["fields"]
    assert not Shipment.objects.exists()
    shipment["tracking_url"] = "https://track.example/TRK1"
    assert shop.post("/api/v1/shipments", shipment, format="json").status_code == 201

    bad_order = shop.post("/api/v1/orders", order_payload(2, url="data:text/html,x"), format="json")
    assert bad_order.status_code == 400 and "url" in str(bad_order.json()["fields"])
    item = {"name": "Mug", "image_url": "javascript:x"}
    bad_item = shop.post("/api/v1/orders", order_payload(3, items=[item]), format="json")
    assert bad_item.status_code == 400 and "image_url" in str(bad_item.json()["fields"])
    assert not Order.objects.filter(external_id__in=["o-2", "o-3"]).exists()

    for field in ("url", "image_url"):
        bad = shop.post(
            "/api/v1/products",
            {"external_id": "P1", "name": "Mug", field: "vbscript:x"},
            format="json",
        )
        assert bad.status_code == 400 and field in bad.json()["fields"], bad.content
    assert not Product.objects.exists()

    event = {"customer": "c-1", "kind": "page_view", "url": "javascript:alert(1)"}
    bad_event = shop.post("/api/v1/events", event, format="json")
    assert bad_event.status_code == 400 and "url" in bad_event.json()["fields"]


def test_services_and_admin_forms_refuse_them_too() -> None:
    from helpdesk.errors import BadRequest

    with pytest.raises(BadRequest) as caught:
        services.browsing_event_record(kind="page_view", url="javascript:alert(1)")
    assert caught.value.fields == {"url": [caught.value.fields["url"][0]]}
    product = Product(external_id="P1", name="Mug", slug="mug", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as invalid:
        product.full_clean()
    assert "url" in invalid.value.message_dict
