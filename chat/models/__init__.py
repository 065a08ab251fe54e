"""Chat models, split by sub-domain. Each module adds its import line here."""

from .bot import BotFeedback, BotState, KnowledgeEntry, KnowledgeQuestion, MessageSentiment, UnmatchedQuestion  # noqa: F401, E501
from .core import AgentProfile, AgentReadCursor, Conversation, Message, Team, Visitor
from .media import Attachment, MediaLimits  # noqa: F401
from .routing import AgentConnection, AgentPresence, CannedReply, ConversationRouting, Holiday, LeftMessage, ProactiveChatSettings, SatisfactionRating, Schedule, ScheduleInterval, TeamRouting  # noqa: F401, E501

__all__ = [
    "AgentProfile",
    "AgentReadCursor",
    "Conversation",
    "Message",
    "Team",
    "Visitor",
]
