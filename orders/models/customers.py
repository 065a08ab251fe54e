"""The CRM side: customers known to the shop, their consent, and the products they browse."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.links import validate_link


class Customer(models.Model):
    """A shopper: one row with many contact identities (``ContactIdentity``). The shop's
    customers carry its ``external_id``; a contact first heard on another channel (an email,
    a message from the shop's app) has none until the shop's data links it."""

    class Tier(models.TextChoices):
        NONE = "", _("None")
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")
        PLATINUM = "platinum", _("Platinum")

    external_id = models.CharField(
        _("external id"), max_length=128, unique=True, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    vip_tier = models.CharField(
        _("VIP tier"), max_length=16, choices=Tier.choices, blank=True, default=""
    )
    # Free-form labels; agents edit them in the sidebar, the shop may set them over the API.
    tags = models.JSONField(_("tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    # The shopper asked not to receive proactive order messages in the chat.
    order_notices_opt_out = models.BooleanField(_("no proactive order messages"), default=False)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name or self.email or self.external_id or f"#{self.pk}"


class ContactIdentity(models.Model):
    """An address that reaches a customer on some channel. Each address belongs to one
    customer at most; ``verified`` when the shop vouched for the link (its integration API)
    or the person proved it, otherwise it was only claimed (an email's From)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        WHATSAPP = "whatsapp", _("WhatsApp number")
        WECHAT = "wechat", _("WeChat openid")
        APP = "app", _("App user id")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Normalised (lower-case email, digits-only phone), so one address is one row.
    value = models.CharField(_("value"), max_length=320)
    verified = models.BooleanField(_("verified"), default=False)
    # Where the link came from: inbound, integration, widget, merge, agent.
    source = models.CharField(_("source"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact identity")
        verbose_name_plural = _("contact identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_kind_value")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerMerge(models.Model):
    """A record that two contacts became one: who, when, why, and what the merged one held
    (shown in the sidebar; the merged row itself is gone)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges")
    merged_customer_id = models.BigIntegerField()
    merged_name = models.CharField(max_length=200, blank=True)
    merged_identities = models.JSONField(default=list, blank=True)
    # "agent" (merge contacts) or "verified" (the shop's data linked an address).
    reason = models.CharField(max_length=16)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact merge")
        verbose_name_plural = _("contact merges")
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.merged_customer_id} -> {self.customer_id}"


class ConsentRecord(models.Model):
    """Each change of a customer's marketing consent, with when and where it was given."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=100)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-recorded_at"], name="consent_customer_at")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{'yes' if self.granted else 'no'}@{self.source}"


class Product(models.Model):
    external_id = models.CharField(_("external id"), max_length=128, unique=True)
    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=300, unique=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    image_url = models.CharField(
        _("image URL"), max_length=500, blank=True, validators=[validate_link]
    )
    url = models.CharField(
        _("product page URL"), max_length=500, blank=True, validators=[validate_link]
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BrowsingEvent(models.Model):
    """A page or product the shopper looked at, reported by the widget or the shop.

    ``visitor_key`` is the chat visitor's public id (orders knows nothing of chat's models),
    so an anonymous browser's trail joins the customer once the visitor is verified.
    """

    class Kind(models.TextChoices):
        PAGE_VIEW = "page_view", _("Page view")
        PRODUCT_VIEW = "product_view", _("Product viewed")
        ADD_TO_CART = "add_to_cart", _("Added to cart")

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="browsing"
    )
    visitor_key = models.UUIDField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.CharField(max_length=1000, blank=True, validators=[validate_link])
    title = models.CharField(max_length=300, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("browsing event")
        verbose_name_plural = _("browsing events")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="browse_customer_at"),
            models.Index(fields=["visitor_key", "-occurred_at"], name="browse_visitor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}"
