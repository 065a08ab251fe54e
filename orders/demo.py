"""Demo shop catalogue."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.text import slugify

from helpdesk.demo import register

from .models import Product

CATALOGUE = [
    ("Linen shirt", "39.00", "Breathable linen shirt, relaxed fit."),
    ("Canvas sneakers", "59.00", "Low-top canvas sneakers with rubber sole."),
    ("Wool beanie", "19.00", "Merino wool beanie, one size."),
    ("Leather wallet", "45.00", "Full-grain leather bifold wallet."),
    ("Ceramic mug", "14.00", "Hand-glazed 350 ml stoneware mug."),
    ("Bamboo cutting board", "29.00", "Large reversible bamboo board."),
    ("Wireless earbuds", "89.00", "Noise-isolating earbuds, 24 h battery with case."),
    ("Yoga mat", "35.00", "6 mm non-slip yoga mat."),
    ("Desk lamp", "49.00", "Dimmable LED desk lamp with USB-C charging."),
    ("Rain jacket", "99.00", "Waterproof, breathable shell jacket."),
    ("Travel backpack", "120.00", "35 L cabin-size backpack with laptop sleeve."),
    ("Silk scarf", "55.00", "Printed mulberry silk scarf."),
]


@register(20, "products")
def load_products(log: Callable[[str], None]) -> None:
    for index, (name, price, description) in enumerate(CATALOGUE, start=1):
        slug = slugify(name)
        Product.objects.update_or_create(
            external_id=f"P{index:04d}",
            defaults={
                "name": name,
                "slug": slug,
                "price": Decimal(price),
                "description": description,
                "url": f"/p/{slug}/",
            },
        )
    log(f"  products: {len(CATALOGUE)}")
