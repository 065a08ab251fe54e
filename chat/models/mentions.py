"""@mentions of agents in private notes (code: ``chat/mentions/``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation


class Mention(models.Model):
    """Agent ``user`` was named (``@username``) in a note: unread until they open the
    conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="mentions"
    )
    # The note. No database foreign key: the message table is partitioned (chat/partitions.py).
    message_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["message_id", "user"], name="mention_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="mention_user_recent"),
            models.Index(
                fields=["user", "conversation"],
                condition=models.Q(read_at__isnull=True),
                name="mention_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.conversation_id}#{self.seq}"
