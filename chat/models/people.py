"""Who is in a conversation: agents (a Django user with a profile) in teams, and visitors
(a storefront browser, or a shopper's address on another channel, linked to a customer).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .inbox import default_web_channel_id
from .languages import TRANSLATION_LANGUAGES

# An anonymous shopper's friendly, stable name: one word of each list, picked by the visitor's
# public id. English words here; the desk shows them in its language (workspace catalog).
NICK_ADJECTIVES = (
    "Amber", "Azure", "Coral", "Golden", "Jade", "Ivory", "Lilac", "Maple",
    "Misty", "Olive", "Rosy", "Silver", "Sunny", "Teal", "Velvet", "Willow",
)  # fmt: skip
NICK_ANIMALS = (
    "Otter", "Fox", "Panda", "Heron", "Koala", "Lynx", "Robin", "Seal",
    "Swan", "Tiger", "Whale", "Wren", "Badger", "Crane", "Dolphin", "Finch",
)  # fmt: skip


def nickname(public_id: uuid.UUID) -> str:
    """The friendly name of a visitor without a name or email: the same for the same id."""
    n = public_id.int
    return f"{NICK_ADJECTIVES[n % 16]} {NICK_ANIMALS[(n >> 8) % 16]}"


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """What the desk knows of an agent beyond the Django user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), default=5, help_text=_("Most open conversations at once")
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="agents", verbose_name=_("teams"))
    # What shoppers' messages are translated into for this agent (chat/translation/); empty:
    # the desk's language (HELPDESK_TRANSLATION["DESK_LANGUAGE"]).
    language = models.CharField(
        _("translation language"),
        max_length=16,
        blank=True,
        choices=TRANSLATION_LANGUAGES,
        help_text=_("Shoppers' messages are shown to you in this language"),
    )

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_full_name() or self.user.get_username()


class Visitor(models.Model):
    """A shopper as one channel knows them: a browser on the storefront (anonymous until it
    proves a customer identity), or an address on another channel (an email address, a phone
    number, an app's user id) in ``address``. Many visitors may belong to one customer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(
        "chat.Channel",
        on_delete=models.PROTECT,
        default=default_web_channel_id,
        related_name="contacts",
    )
    # The shopper's address on the channel (normalised); empty for a browser.
    address = models.CharField(max_length=320, blank=True)
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitors",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    current_url = models.CharField(max_length=1000, blank=True)
    current_title = models.CharField(max_length=300, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"],
                condition=~Q(address=""),
                name="visitor_channel_address",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """What agents call the shopper: the customer's or the given name, else the email,
        else a friendly name that stays the same for this visitor ("Amber Otter")."""
        customer = self.customer if self.customer_id else None
        if customer is not None and customer.name:
            return customer.name
        if self.name:
            return self.name
        email = self.email or (customer.email if customer is not None else "")
        return email or nickname(self.public_id)

    @property
    def has_nickname(self) -> bool:
        """True when :attr:`display_name` is the made-up friendly name (the desk translates
        its words)."""
        customer = self.customer if self.customer_id else None
        return not (
            self.name or self.email or (customer is not None and (customer.name or customer.email))
        )
