"""Wire the bot into the desk; called once from ``ChatConfig.ready``."""

from __future__ import annotations


def setup() -> None:
    # admin, demo and tasks register themselves (the admin site, helpdesk.demo, Celery).
    from . import admin, demo, listeners, tasks  # noqa: F401

    listeners.connect()
    _widget_strings()


def _widget_strings() -> None:
    from django.utils.translation import gettext_lazy as _

    from helpdesk.storefront import widget_strings_register

    widget_strings_register(
        "bot",
        {
            "thanks": _("Thanks for the feedback!"),
            "failed": _("Sorry, that did not go through. Please try again."),
        },
    )
