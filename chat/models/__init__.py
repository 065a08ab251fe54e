"""Chat models, split by sub-domain. Each module adds its import line here."""

from .core import AgentProfile, AgentReadCursor, Conversation, Message, Team, Visitor

__all__ = [
    "AgentProfile",
    "AgentReadCursor",
    "Conversation",
    "Message",
    "Team",
    "Visitor",
]
