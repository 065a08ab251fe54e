"""Matching shopper questions against the knowledge base (pure Python, in memory)."""

from .index import Match, match_question
from .text import detect_language, features, normalize

__all__ = ["Match", "detect_language", "features", "match_question", "normalize"]
