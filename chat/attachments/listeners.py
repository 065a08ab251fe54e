"""How attachments plug into the chat core; ``connect()`` runs from ``chat.listeners``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from chat import events
from chat.models import Attachment

from . import payload, services, strings


def _files_delete(sender: Any, instance: Attachment, **kwargs: Any) -> None:
    """An attachment row deleted (erasure, an orphan swept) takes its files with it."""
    services.files_delete_on_commit(instance)


def connect() -> None:
    events.attachment_payload_register(payload.message_attachment_payload)
    post_delete.connect(_files_delete, sender=Attachment, dispatch_uid="media-files")
    strings.register()
