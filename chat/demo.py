"""Demo agents and teams. ``manage.py demo_data`` imports each app's ``demo`` module; the
bot's knowledge base and the canned replies load from their own, imported here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model

from helpdesk.demo import register

from .attributes import demo as attributes_demo  # noqa: F401
from .automation import demo as automation_demo  # noqa: F401
from .bot import demo as bot_demo  # noqa: F401
from .canned import demo as canned_demo  # noqa: F401
from .prechat import demo as prechat_demo  # noqa: F401
from .services.agents import agent_create

DEMO_PASSWORD = "demo1234"


@register(10, "agents and teams")
def load_agents(log: Callable[[str], None]) -> None:
    user_model = get_user_model()
    if not user_model.objects.filter(username="admin").exists():
        user_model.objects.create_superuser("admin", "admin@example.com", "admin")
    agent_create(username="ana", password=DEMO_PASSWORD, teams=["Sales"], display_name="Ana")
    agent_create(username="bo", password=DEMO_PASSWORD, teams=["Support"], display_name="Bo")
    agent_create(
        username="sam",
        password=DEMO_PASSWORD,
        teams=["Sales", "Support"],
        display_name="Sam",
        supervisor=True,
    )
    log("  agents: admin/admin (manager), ana, bo, sam (supervisor) with password demo1234")


# The storefront says "Live chat 9–18" (templates/storefront/index.html): the desk's hours.
DEMO_OPENS, DEMO_CLOSES = dt.time(9), dt.time(18)


@register(12, "business hours")
def load_business_hours(log: Callable[[str], None]) -> None:
    """One schedule for every team, open 9:00–18:00 every day in the desk's time zone, as the
    storefront advertises. Left alone if the desk already has hours of its own."""
    from django.conf import settings

    from .models import Schedule, ScheduleInterval

    if Schedule.objects.filter(team__isnull=True).exists():
        log("  business hours: already set")
        return
    schedule = Schedule.objects.create(team=None, timezone=settings.TIME_ZONE)
    ScheduleInterval.objects.bulk_create(
        ScheduleInterval(schedule=schedule, weekday=day, opens=DEMO_OPENS, closes=DEMO_CLOSES)
        for day in range(7)
    )
    from .routing import business_hours

    business_hours.cache_clear()  # bulk_create sends no post_save
    log(f"  business hours: every day 09:00-18:00 ({settings.TIME_ZONE})")


DEMO_LABELS = [
    ("VIP", "#d97706"),
    ("Refund", "#dc2626"),
    ("Shipping", "#2563eb"),
    ("Feedback", "#16a34a"),
]


@register(13, "labels")
def load_labels(log: Callable[[str], None]) -> None:
    """A few labels with colours for the workspace's filter and bulk action."""
    from .models import Label

    for name, color in DEMO_LABELS:
        Label.objects.get_or_create(name=name, defaults={"color": color})
    log("  labels: " + ", ".join(name for name, _color in DEMO_LABELS))


@register(14, "macros")
def load_macros(log: Callable[[str], None]) -> None:
    """A macro for the commonest close: thank, label, take and resolve in one click."""
    from .models import Macro

    Macro.objects.get_or_create(
        name="Thank and resolve",
        defaults={
            "actions": [
                {
                    "type": "reply",
                    "text": "Thanks {{customer.first_name|for reaching out}}! "
                    "Glad we could help. Have a lovely day.",
                },
                {"type": "label", "label": "Feedback"},
                {"type": "assign_me"},
                {"type": "resolve"},
            ]
        },
    )
    log("  macros: Thank and resolve")
