"""Rich media in the chat: uploads, type sniffing, image processing, storage and serving.

``install()`` (called from ``ChatConfig.ready``) plugs the area into the chat core: the
attachment part of the message payload, file cleanup on delete, the admin and the Celery task.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from django.db.models.signals import post_delete

    from chat import events
    from chat.models import Attachment

    from . import admin, payload, services, strings, tasks  # noqa: F401

    events.attachment_payload_hook = payload.message_attachment_payload

    def _files_delete(sender: Any, instance: Attachment, **kwargs: Any) -> None:
        services.files_delete_on_commit(instance)

    post_delete.connect(_files_delete, sender=Attachment, weak=False, dispatch_uid="media-files")
    admin.register()
    strings.register()
