"""Demo knowledge base: shipping, returns, refunds, sizes, payment, warranty … in English and
Simplified Chinese (chat/bot/kb_data.py)."""

from __future__ import annotations

from collections.abc import Callable

from helpdesk.demo import register

from .services_kb import knowledge_base_load


@register(40, "bot knowledge base")
def load_knowledge_base(log: Callable[[str], None]) -> None:
    from .kb_data import KB

    created = knowledge_base_load(items=KB)
    log(f"  knowledge base: {len(KB)} entries ({created} new) in English and Chinese")
