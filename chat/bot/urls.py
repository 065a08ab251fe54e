from django.urls import path

from . import apis

# Mounted under /api/ by helpdesk/urls.py.
urlpatterns = [
    path("widget/bot/feedback", apis.BotFeedbackApi.as_view(), name="bot-feedback"),
    path("widget/bot/suggestion", apis.BotSuggestionApi.as_view(), name="bot-suggestion"),
    path("v1/bot/preview", apis.BotPreviewApi.as_view(), name="bot-preview"),
    path(
        "v1/conversations/<int:conversation_id>/bot",
        apis.ConversationBotApi.as_view(),
        name="conversation-bot",
    ),
]
