"""The pre-chat form's wiring: the conversation a shopper's first message opens takes their
answers' conversation attributes; the widget part's strings. ``connect()`` runs from
``chat.listeners``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk import dispatch
from helpdesk.storefront import widget_strings_register

from .services import prechat_conversation_opened


def on_opened(event: dispatch.DomainEvent) -> None:
    visitor_id = event.data.get("visitor_id")
    if event.conversation_id is not None and visitor_id:
        prechat_conversation_opened(conversation_id=event.conversation_id, visitor_id=visitor_id)


def connect() -> None:
    dispatch.subscribe(dispatch.Event.CONVERSATION_OPENED, on_opened)
    widget_strings_register(
        "prechat",
        {
            "title": _("Before we start"),
            "required": _("required"),
            "submit": _("Start chat"),
            "check": _("Please check the form."),
            "missing": _("This field is required."),
            "email": _("Enter a valid email address."),
            "failed": _("Could not send; please try again."),
            "choose": _("Choose…"),
            "yes": _("Yes"),
        },
    )
