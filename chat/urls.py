from django.urls import path

from . import apis, views, workflow_apis
from .attributes import apis as attributes_apis
from .mentions.urls import api_urlpatterns as mentions_api
from .prechat import apis as prechat_apis
from .priority import apis as priority_apis
from .routing.urls import api_urlpatterns as routing_api
from .saved_filters.urls import api_urlpatterns as saved_filters_api
from .search.urls import api_urlpatterns as search_api
from .translation import apis as translation_apis

app_name = "chat"

api_urlpatterns = [
    path("widget/session", apis.WidgetSessionApi.as_view(), name="widget-session"),
    path("widget/prechat", prechat_apis.PrechatApi.as_view(), name="widget-prechat"),
    path("v1/conversations/", apis.ConversationListApi.as_view(), name="conversation-list"),
    path(
        "v1/conversations/<int:conversation_id>",
        apis.ConversationDetailApi.as_view(),
        name="conversation-detail",
    ),
    path(
        "v1/conversations/<int:conversation_id>/messages",
        apis.MessageHistoryApi.as_view(),
        name="conversation-messages",
    ),
    path(
        "v1/conversations/<int:conversation_id>/assign",
        apis.ConversationAssignApi.as_view(),
        name="conversation-assign",
    ),
    path(
        "v1/conversations/<int:conversation_id>/status",
        apis.ConversationStatusApi.as_view(),
        name="conversation-status",
    ),
    path(
        "v1/conversations/<int:conversation_id>/priority",
        priority_apis.ConversationPriorityApi.as_view(),
        name="conversation-priority",
    ),
    path(
        "v1/conversations/<int:conversation_id>/attributes",
        attributes_apis.ConversationAttributesApi.as_view(),
        name="conversation-attributes",
    ),
    path("v1/attributes/", attributes_apis.AttributeDefinitionListApi.as_view(), name="attributes"),
    path("v1/agents/", apis.AgentListApi.as_view(), name="agent-list"),
    path("v1/labels/", workflow_apis.LabelListApi.as_view(), name="label-list"),
    path("v1/macros/", workflow_apis.MacroListApi.as_view(), name="macro-list"),
    path(
        "v1/conversations/<int:conversation_id>/macros/<int:macro_id>",
        workflow_apis.MacroRunApi.as_view(),
        name="macro-run",
    ),
    path(
        "v1/conversations/labels",
        workflow_apis.ConversationLabelsApi.as_view(),
        name="conversation-labels",
    ),
    path(
        "v1/conversations/<int:conversation_id>/translation",
        translation_apis.ConversationTranslationApi.as_view(),
        name="conversation-translation",
    ),
    path(
        "v1/translation/language",
        translation_apis.AgentTranslationLanguageApi.as_view(),
        name="translation-language",
    ),
]
# Routing, canned replies and satisfaction (docs/routing.md).
api_urlpatterns += routing_api
# Message search (docs/search.md).
api_urlpatterns += search_api
# Mentions in notes (docs/protocol.md).
api_urlpatterns += mentions_api
# Saved list filters (docs/protocol.md).
api_urlpatterns += saved_filters_api

urlpatterns = [
    path("desk/", views.desk, name="desk"),
]
