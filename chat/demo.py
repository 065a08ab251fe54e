"""Demo agents and teams. ``manage.py demo_data`` imports each app's ``demo`` module; the
bot's knowledge base and the canned replies load from their own, imported here."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model

from helpdesk.demo import register

from .bot import demo as bot_demo  # noqa: F401
from .canned import demo as canned_demo  # noqa: F401
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
