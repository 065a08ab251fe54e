"""The chat app's wiring: ``connect()`` (from ``ChatConfig.ready``) runs each area's
``connect()`` in this order, which is the order their listeners and payload parts run in.
docs/architecture.md lists the result; tests/test_architecture.py holds the two together."""

from __future__ import annotations


def connect() -> None:
    from django.apps import apps
    from django.core import checks
    from django.db.models.signals import post_migrate

    from helpdesk import dispatch
    from helpdesk.model_validators import model_validator_register
    from orders.privacy import register_erase, register_export

    from . import events, order_notices
    from .attachments import listeners as attachments
    from .attributes.privacy import erase_attributes, export_attributes
    from .automation import listeners as automation
    from .automation.rules import mute_payload as automation_mute_payload
    from .automation.rules import rule_validate
    from .bot import listeners as bot
    from .calls import strings as calls_strings
    from .calls.checks import calls_settings_check
    from .labels import labels_payload
    from .mentions import services as mentions
    from .models import AutomationRule, PrechatForm
    from .prechat import listeners as prechat
    from .prechat.services import prechat_form_validate
    from .priority.services import priority_payload
    from .privacy import erase_chat, export_chat
    from .routing import listeners as routing
    from .search.fts import after_migrate as search_after_migrate
    from .translation import listeners as translation

    attachments.connect()
    routing.connect()
    bot.connect()
    order_notices.connect()
    events.conversation_payload_register(labels_payload)
    events.conversation_payload_register(priority_payload)
    translation.connect()
    automation.connect()
    events.conversation_payload_register(automation_mute_payload)
    dispatch.subscribe(dispatch.Event.MESSAGE_CREATED, mentions.on_message_created)
    prechat.connect()
    calls_strings.register()
    checks.register(calls_settings_check)
    # A customer's export and erasure (orders.privacy) include their conversations.
    register_export(export_chat)
    register_erase(erase_chat)
    register_export(export_attributes)
    register_erase(erase_attributes)
    # SQLite's message search: its triggers back after a migration rebuilt the table.
    post_migrate.connect(search_after_migrate, sender=apps.get_app_config("chat"))
    # What the admin and full_clean() check on save, owned by the areas above the models.
    model_validator_register(AutomationRule, rule_validate)
    model_validator_register(PrechatForm, prechat_form_validate)
