"""The demo storefront: a small shop with the chat widget in the corner."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from orders.models import Product


def home(request: HttpRequest) -> HttpResponse:
    products = Product.objects.filter(active=True).order_by("name")[:60]
    return render(request, "storefront/index.html", {"products": products})


def product(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(Product, slug=slug, active=True)
    return render(request, "storefront/product.html", {"product": item})
