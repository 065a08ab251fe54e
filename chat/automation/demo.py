"""A demo automation rule: a shopper asking for a refund is labelled, raised and told."""

from __future__ import annotations

from collections.abc import Callable

from helpdesk.demo import register


@register(17, "automation rules")
def load_rules(log: Callable[[str], None]) -> None:
    from ..models import AutomationRule, Label

    if not Label.objects.filter(name="Refund").exists():
        log("  automation rules: skipped (no Refund label)")
        return
    AutomationRule.objects.get_or_create(
        name="Refund requests",
        defaults={
            "description": "A shopper asking for a refund: label, raise, tell them.",
            "event": AutomationRule.Trigger.MESSAGE_CREATED,
            "conditions": [{"type": "message_contains", "any": ["refund", "money back", "退款"]}],
            "actions": [
                {"type": "label", "label": "Refund"},
                {"type": "priority", "priority": "high"},
                {
                    "type": "send_message",
                    "text": "Thanks, we have your refund request. "
                    "A colleague will check your order and reply here.",
                },
            ],
        },
    )
    log("  automation rules: Refund requests")
