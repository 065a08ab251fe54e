"""Voice and video calls between an agent and a shopper (chat/calls/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from .conversations import Conversation


class Call(models.Model):
    """One call in a conversation, from the first ring to the hang-up.

    The media flows browser to browser (WebRTC); the desk only carries the signalling and
    keeps this row: who called whom, when it was answered and by whom, how it ended. The
    timeline message and the reports are built from it.
    """

    class Media(models.TextChoices):
        AUDIO = "audio", pgettext_lazy("call", "Voice")
        VIDEO = "video", pgettext_lazy("call", "Video")

    class Status(models.TextChoices):
        RINGING = "ringing", pgettext_lazy("call", "Ringing")
        ACTIVE = "active", pgettext_lazy("call", "In progress")
        ENDED = "ended", pgettext_lazy("call", "Ended")

    class Caller(models.TextChoices):
        AGENT = "agent", pgettext_lazy("call", "Agent")
        VISITOR = "visitor", pgettext_lazy("call", "Shopper")

    class EndReason(models.TextChoices):
        HANGUP = "hangup", pgettext_lazy("call", "Hung up")
        DECLINED = "declined", pgettext_lazy("call", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("call", "Cancelled")
        TIMEOUT = "timeout", pgettext_lazy("call", "No answer")
        BUSY = "busy", pgettext_lazy("call", "Busy")
        DISCONNECTED = "disconnected", pgettext_lazy("call", "Connection lost")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="calls")
    media = models.CharField(pgettext_lazy("call", "media"), max_length=8, choices=Media.choices)
    caller = models.CharField(pgettext_lazy("call", "caller"), max_length=8, choices=Caller.choices)
    status = models.CharField(
        pgettext_lazy("call", "status"),
        max_length=8,
        choices=Status.choices,
        default=Status.RINGING,
    )
    # The agent on the call: the one who called, or who answered the shopper's call.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("call", "agent"),
    )
    # The one socket on each side that carries this call's signalling (channel names).
    agent_channel = models.CharField(max_length=200, blank=True)
    visitor_channel = models.CharField(max_length=200, blank=True)
    answered_by = models.CharField(pgettext_lazy("call", "answered by"), max_length=150, blank=True)
    started_at = models.DateTimeField(
        pgettext_lazy("call", "started"), auto_now_add=True, db_index=True
    )
    answered_at = models.DateTimeField(pgettext_lazy("call", "answered"), null=True, blank=True)
    ended_at = models.DateTimeField(pgettext_lazy("call", "ended"), null=True, blank=True)
    # A voice call whose camera was turned on: when video joined. ``media`` is then
    # ``video``: the call counts as what it became (the timeline, the reports).
    upgraded_at = models.DateTimeField(pgettext_lazy("call", "turned video"), null=True, blank=True)
    end_reason = models.CharField(
        pgettext_lazy("call", "end reason"), max_length=16, choices=EndReason.choices, blank=True
    )

    class Meta:
        verbose_name = pgettext_lazy("call", "call")
        verbose_name_plural = pgettext_lazy("call", "calls")
        indexes = [
            models.Index(fields=["conversation", "status"], name="call_conversation_status"),
            models.Index(fields=["agent", "status"], name="call_agent_status"),
        ]
        constraints = [
            # At most one live call per conversation: a second ring waits for the first.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=~Q(status="ended"),
                name="call_one_live_per_conversation",
            ),
        ]

    def __str__(self) -> str:
        return f"call {self.pk} in #{self.conversation_id} ({self.status})"

    @property
    def missed(self) -> bool:
        """Ended without ever being answered."""
        return self.status == self.Status.ENDED and self.answered_at is None

    @property
    def duration_seconds(self) -> int | None:
        """From the answer to the hang-up, whole seconds; None if never answered."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.answered_at).total_seconds()))
