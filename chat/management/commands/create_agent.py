from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chat.services.agents import agent_create


class Command(BaseCommand):
    help = "Create (or update) an agent who can log in to /desk/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--team", action="append", default=[], help="Team name (repeatable)")
        parser.add_argument("--capacity", type=int, default=5)
        parser.add_argument("--name", default="", help="Display name shown to shoppers")
        parser.add_argument("--supervisor", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["capacity"] < 0:
            raise CommandError("--capacity must be 0 or more")
        user = agent_create(
            username=opts["username"],
            password=opts["password"],
            teams=opts["team"],
            capacity=opts["capacity"],
            display_name=opts["name"],
            supervisor=opts["supervisor"],
        )
        self.stdout.write(self.style.SUCCESS(f"Agent {user.username} ready."))
