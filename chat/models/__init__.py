"""Chat models, one module per sub-domain; each module's code lives in the package named in
its docstring (``canned.py`` → ``chat/canned/``)."""

from .attachments import Attachment, MediaLimits
from .attributes import AttributeDefinition, AttributeValue
from .automation import AutomationRule, AutomationRun
from .bot import (
    BotFeedback,
    BotState,
    BotWhy,
    KnowledgeEntry,
    KnowledgeQuestion,
    KnowledgeVector,
    MessageSentiment,
    SuggestionPick,
    UnmatchedQuestion,
)
from .business_hours import Holiday, Schedule, ScheduleInterval
from .calls import Call
from .canned import CannedReply
from .conversations import AgentReadCursor, Conversation, Message
from .csat import SatisfactionRating
from .inbox import Channel, default_web_channel_id
from .labels import Label
from .learning import KnowledgeProposal
from .macros import Macro
from .mentions import Mention
from .people import AgentProfile, Team, Visitor
from .prechat import PrechatForm, PrechatSubmission
from .routing import (
    AgentConnection,
    AgentPresence,
    ConversationRouting,
    LeftMessage,
    ProactiveChatSettings,
    TeamRouting,
)
from .saved_filters import SavedFilter
from .translation import ConversationTranslation, GlossaryTerm, MessageTranslation

__all__ = [
    "AgentConnection",
    "AgentPresence",
    "AgentProfile",
    "AgentReadCursor",
    "Attachment",
    "AttributeDefinition",
    "AttributeValue",
    "AutomationRule",
    "AutomationRun",
    "BotFeedback",
    "BotState",
    "BotWhy",
    "Call",
    "CannedReply",
    "Channel",
    "Conversation",
    "ConversationRouting",
    "ConversationTranslation",
    "GlossaryTerm",
    "Holiday",
    "KnowledgeEntry",
    "KnowledgeProposal",
    "KnowledgeQuestion",
    "KnowledgeVector",
    "Label",
    "LeftMessage",
    "Macro",
    "MediaLimits",
    "Mention",
    "Message",
    "MessageSentiment",
    "MessageTranslation",
    "PrechatForm",
    "PrechatSubmission",
    "ProactiveChatSettings",
    "SatisfactionRating",
    "SavedFilter",
    "Schedule",
    "ScheduleInterval",
    "SuggestionPick",
    "Team",
    "TeamRouting",
    "UnmatchedQuestion",
    "Visitor",
    "default_web_channel_id",
]
