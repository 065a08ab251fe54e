"""Routing: presence, capacity, automatic assignment, the queue, business hours, the slow-reply
guard, leave-a-message and proactive chat. See docs/routing.md."""

from __future__ import annotations


def install() -> None:
    """Connect routing's listeners and payload hook; register its admin (from ``ready``)."""
    from chat.canned import admin as canned_admin  # noqa: F401
    from chat.csat import admin as csat_admin  # noqa: F401

    from . import admin, listeners, tasks  # noqa: F401

    listeners.connect()
    from .strings import register as register_strings

    register_strings()
