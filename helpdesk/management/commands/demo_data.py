from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from helpdesk import demo


class Command(BaseCommand):
    help = "Load the demo shop, agents and conversations (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        for config in apps.get_app_configs():
            try:
                importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
        for _order, name, loader in sorted(demo.LOADERS, key=lambda item: item[0]):
            self.stdout.write(f"demo: {name}")
            loader(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
