"""Custom attributes (code in ``chat/attributes/``): fields a manager defines in the admin
for conversations and for contacts, typed, which agents fill in beside the conversation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation
from .people import Visitor

KEY = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$", _("Lower-case letters, digits and _, starting with a letter.")
)
MAX_OPTIONS = 50


class AttributeDefinition(models.Model):
    """One custom attribute. ``key`` names it in the API and in automation rules; ``options``
    are the choices of a ``list`` attribute (empty for the other kinds)."""

    class AppliesTo(models.TextChoices):
        CONVERSATION = "conversation", _("Conversation")
        CONTACT = "contact", _("Contact")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        LIST = "list", _("List")
        CHECKBOX = "checkbox", _("Checkbox")
        LINK = "link", _("Link")

    applies_to = models.CharField(_("applies to"), max_length=16, choices=AppliesTo.choices)
    key = models.CharField(_("key"), max_length=40, validators=[KEY])
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_('For a list: ["Express", "Standard"].')
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("custom attribute")
        verbose_name_plural = _("custom attributes")
        ordering = ["applies_to", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["applies_to", "key"], name="attribute_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_applies_to_display()})"

    def clean(self) -> None:
        options = self.options
        if self.kind == self.Kind.LIST:
            good = (
                isinstance(options, list)
                and 1 <= len(options) <= MAX_OPTIONS
                and all(isinstance(o, str) and o.strip() and len(o) <= 80 for o in options)
                and len(set(options)) == len(options)
            )
            if not good:
                raise ValidationError(
                    {"options": _("A list of 1 to 50 different choices, each 1 to 80 characters.")}
                )
        elif options:
            raise ValidationError({"options": _("Only a list attribute has options.")})


class AttributeValue(models.Model):
    """A value of one attribute: on a conversation, or on a contact, which is the customer
    when the shopper is known and the visitor otherwise (exactly one of the three is set).
    ``value`` is the cleaned JSON value: a string, a number or a boolean."""

    definition = models.ForeignKey(
        AttributeDefinition, on_delete=models.CASCADE, related_name="values"
    )
    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attribute_values",
    )
    visitor = models.ForeignKey(
        Visitor, null=True, blank=True, on_delete=models.CASCADE, related_name="attribute_values"
    )
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attribute_values",
    )
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(conversation__isnull=False, visitor__isnull=True, customer__isnull=True)
                    | Q(conversation__isnull=True, visitor__isnull=False, customer__isnull=True)
                    | Q(conversation__isnull=True, visitor__isnull=True, customer__isnull=False)
                ),
                name="attribute_value_one_target",
            ),
            models.UniqueConstraint(
                fields=["definition", "conversation"],
                condition=Q(conversation__isnull=False),
                name="attribute_value_conversation",
            ),
            models.UniqueConstraint(
                fields=["definition", "visitor"],
                condition=Q(visitor__isnull=False),
                name="attribute_value_visitor",
            ),
            models.UniqueConstraint(
                fields=["definition", "customer"],
                condition=Q(customer__isnull=False),
                name="attribute_value_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.key}={self.value!r}"
