"""Automation rules (code in ``chat/automation/``): when an event happens to a conversation
and its conditions hold, the desk runs the rule's actions, after commit, in Celery; every run
is recorded."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.model_validators import model_validate

from .conversations import Conversation


class AutomationRule(models.Model):
    """``conditions`` (all must hold) and ``actions`` (run in order) are JSON lists; the
    admin checks them on save and ``chat/automation/rules.py`` lists every type."""

    class Trigger(models.TextChoices):
        CONVERSATION_CREATED = "conversation_created", _("Conversation created")
        MESSAGE_CREATED = "message_created", _("Message received from the shopper")
        CONVERSATION_UPDATED = "conversation_updated", _("Conversation updated")
        CONVERSATION_RESOLVED = "conversation_resolved", _("Conversation resolved")
        CONVERSATION_IDLE = "conversation_idle", _("Conversation idle for some minutes")

    class WaitingOn(models.TextChoices):
        # The shopper wrote last and no one answered yet (routing's waiting clock).
        AGENT = "agent", _("the agent (the shopper is waiting)")
        # An agent or the bot wrote last and the shopper has not answered.
        SHOPPER = "shopper", _("the shopper (the desk is waiting)")

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    event = models.CharField(_("when"), max_length=32, choices=Trigger.choices)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The idle trigger only: how long, and who the conversation waits on.
    idle_minutes = models.PositiveIntegerField(_("idle for (minutes)"), null=True, blank=True)
    idle_waiting_on = models.CharField(
        _("idle while waiting on"), max_length=16, choices=WaitingOn.choices, blank=True
    )
    # The idle scan's watermark: idle spells that began up to here have been looked at.
    idle_checked_through = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # chat/automation/rules.py: rule_validate, registered from the chat app's ready().
        model_validate(self)


class AutomationRun(models.Model):
    """One run of a rule whose conditions held: what triggered it, what it did, how it ended.
    ``trigger_key`` is unique per rule and conversation: the changes one transaction makes run
    a rule once (on PostgreSQL it carries the transaction's id)."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="runs")
    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="automation_runs",
    )
    event = models.CharField(_("event"), max_length=64)
    trigger_key = models.CharField(max_length=100)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    actions_done = models.JSONField(_("actions done"), default=list)
    error = models.CharField(_("error"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "conversation", "trigger_key"], name="automation_run_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} on #{self.conversation_id} ({self.outcome})"
