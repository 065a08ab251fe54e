"""Writes of analytics: the rollups, and hot questions turned into knowledge-base entries."""

from .knowledge import knowledge_entry_create_from_cluster
from .rebuild import rollup_rebuild
from .rollup import LAG, LOCK_KEY, RollupResult, histograms_refresh, rollup_tick

__all__ = [
    "LAG",
    "LOCK_KEY",
    "RollupResult",
    "histograms_refresh",
    "knowledge_entry_create_from_cluster",
    "rollup_rebuild",
    "rollup_tick",
]
