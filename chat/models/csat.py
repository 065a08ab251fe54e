"""Satisfaction ratings (chat/csat/): a shopper's stars for one care cycle."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation
from .people import Team


class SatisfactionRating(models.Model):
    """The shopper's 1-5 stars for one care cycle (one resolution) of a conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="ratings")
    # The resolution this rating is for: a reopened and resolved-again conversation is a
    # new care cycle with its own rating.
    resolved_at = models.DateTimeField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "resolved_at"], name="csat_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="csat_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id}: {self.rating}"
