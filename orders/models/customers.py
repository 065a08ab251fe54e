"""The CRM side: customers known to the shop and the products they browse."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A shopper the shop knows, keyed by the shop's own ``external_id``."""

    external_id = models.CharField(_("external id"), max_length=128, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class Product(models.Model):
    external_id = models.CharField(_("external id"), max_length=128, unique=True)
    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=300, unique=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    image_url = models.CharField(_("image URL"), max_length=500, blank=True)
    url = models.CharField(_("product page URL"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
