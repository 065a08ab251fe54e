from django.urls import path

from . import apis

# Mounted under /api/ by helpdesk/urls.py.
urlpatterns = [
    path("widget/bot/feedback", apis.BotFeedbackApi.as_view(), name="bot-feedback"),
    path(
        "v1/conversations/<int:conversation_id>/bot",
        apis.ConversationBotApi.as_view(),
        name="conversation-bot",
    ),
]
