"""How the orders app plugs into the desk: its part of every storefront page and its widget
strings. Orders knows nothing of chat; it dispatches domain events (``helpdesk.dispatch``) and
listens to none. Connected from ``OrdersConfig.ready`` through ``connect()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helpdesk.storefront import storefront_context_register, widget_strings_register


def connect() -> None:
    from .storefront import storefront_context

    storefront_context_register(storefront_context)
    widget_strings_register(
        "cards",
        {
            "view_order": _("View order"),
            "view_product": _("View product"),
            "track": _("Track parcel"),
            "expected": _("expected %(date)s"),
        },
    )
