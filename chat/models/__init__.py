"""Chat models, split by sub-domain. Each module adds its import line here."""

from .bot import (  # noqa: F401
    BotFeedback,
    BotState,
    KnowledgeEntry,
    KnowledgeQuestion,
    MessageSentiment,
    UnmatchedQuestion,
)
from .core import AgentProfile, AgentReadCursor, Conversation, Message, Team, Visitor
from .media import Attachment, MediaLimits  # noqa: F401
from .routing import (  # noqa: F401
    AgentConnection,
    AgentPresence,
    CannedReply,
    ConversationRouting,
    Holiday,
    LeftMessage,
    ProactiveChatSettings,
    SatisfactionRating,
    Schedule,
    ScheduleInterval,
    TeamRouting,
)

__all__ = [
    "AgentProfile",
    "AgentReadCursor",
    "Conversation",
    "Message",
    "Team",
    "Visitor",
]
