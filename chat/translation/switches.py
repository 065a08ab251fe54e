"""The per-conversation translation switch (``conversation_translation_set``) and the
agent's own language (``agent_language_set``), as the workspace's API sets them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from helpdesk.errors import BadRequest
from helpdesk.pending import pending_delay

from .. import events
from ..access import Actor, access_conversation
from ..models import AgentProfile, Conversation, ConversationTranslation
from .providers import translation_enabled
from .services import LANGUAGE_CODES, agent_language, desk_language, language_code

# The frame that tells staff a conversation's translation switch or shopper language moved.
CONVERSATION_TRANSLATION = "conversation.translation"


def conversation_translation_get(*, actor: Actor, conversation_id: Any) -> dict[str, Any]:
    """The conversation's translation switch as the workspace shows it (agents with access):
    whether a provider is set, whether it is on here, the shopper's detected language."""
    if actor.user is None:
        raise BadRequest("Only agents read the translation switch.")
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    switch = ConversationTranslation.objects.filter(conversation=conversation).first()
    return conversation_translation_payload(conversation, switch)


def conversation_translation_payload(
    conversation: Conversation, switch: ConversationTranslation | None
) -> dict[str, Any]:
    return {
        "conversation": conversation.pk,
        "available": bool(settings.HELPDESK_TRANSLATION["PROVIDER"]),
        "enabled": switch.enabled if switch is not None else True,
        "shopper_language": (switch.shopper_language if switch is not None else "") or None,
    }


def conversation_translation_set(
    *, actor: Actor, conversation_id: Any, enabled: Any
) -> ConversationTranslation:
    """Switch translation on or off for one conversation (agents with access only). Messages
    already translated keep their translation; new ones follow the switch."""
    if actor.user is None:
        raise BadRequest("Only agents switch translation.")
    if not isinstance(enabled, bool):
        raise BadRequest("enabled must be true or false.", fields={"enabled": ["Expected a bool."]})
    with transaction.atomic():
        conversation = access_conversation(actor=actor, conversation_id=conversation_id)
        switch, _created = ConversationTranslation.objects.select_for_update().get_or_create(
            conversation=conversation
        )
        if switch.enabled != enabled:
            switch.enabled = enabled
            switch.save(update_fields=["enabled", "updated_at"])
        events.publish(
            [events.group_conversation(conversation.pk)],
            {
                "type": CONVERSATION_TRANSLATION,
                **conversation_translation_payload(conversation, switch),
            },
        )
    return switch


def agent_language_set(*, user: Any, language: Any) -> AgentProfile:
    """Set the language shoppers' messages are translated into for ``user`` ('' : the
    desk's); the shopper messages of their open conversations follow."""
    if not isinstance(language, str) or (language and language not in LANGUAGE_CODES):
        raise BadRequest(
            "Unknown language.", fields={"language": [f"One of {sorted(LANGUAGE_CODES)} or ''."]}
        )
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    changed = agent_language(user) != (language_code(language) or desk_language())
    profile.language = language
    profile.save(update_fields=["language"])
    if changed and translation_enabled():
        # Their open conversations' shopper messages follow, in Celery (reassign.py); written
        # down with the change, so a task the broker lost is queued by the sweep.
        from .tasks import agent_language_changed_task

        pending_delay(agent_language_changed_task, user_id=user.pk)
    return profile
