"""Demo knowledge base: shipping, returns, refunds, sizes, payment, warranty … in English and
Simplified Chinese (chat/bot/demo_kb.toml)."""

from __future__ import annotations

from collections.abc import Callable

from helpdesk.demo import register

from .knowledge_import import demo_items, knowledge_base_load


@register(40, "bot knowledge base")
def load_knowledge_base(log: Callable[[str], None]) -> None:
    items = demo_items()
    created = knowledge_base_load(items=items)
    log(f"  knowledge base: {len(items)} entries ({created} new) in English and Chinese")
