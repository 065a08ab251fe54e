"""URLs of the channels: the API channel's REST (under /api/), the email providers'
webhooks, and the agents' email views."""

from django.urls import path, re_path

from . import views
from .api import apis as api_channel
from .email import webhooks as email_webhooks
from .wechat.webhooks import wechat_webhook
from .whatsapp.webhooks import whatsapp_webhook

api_urlpatterns = [
    path("v1/channel/messages", api_channel.ChannelMessageApi.as_view(), name="channel-message"),
    path("v1/channel/uploads", api_channel.ChannelUploadApi.as_view(), name="channel-upload"),
    path("v1/channel/webhook", api_channel.ChannelWebhookApi.as_view(), name="channel-webhook"),
    path(
        "v1/channel/conversations/<int:conversation_id>/messages",
        api_channel.ChannelHistoryApi.as_view(),
        name="channel-history",
    ),
    path(
        "v1/messages/<int:message_id>/email", views.MessageEmailApi.as_view(), name="message-email"
    ),
    path(
        "v1/messages/<int:message_id>/retry", views.DeliveryRetryApi.as_view(), name="message-retry"
    ),
    path(
        "v1/conversations/<int:conversation_id>/transcript",
        views.TranscriptApi.as_view(),
        name="conversation-transcript",
    ),
    path(
        "v1/conversations/<int:conversation_id>/template",
        views.TemplateSendApi.as_view(),
        name="conversation-template",
    ),
    path("v1/contacts", views.ContactSearchApi.as_view(), name="contacts-search"),
    path("v1/contacts/merge", views.ContactMergeApi.as_view(), name="contacts-merge"),
    path("v1/channels/", views.ChannelListApi.as_view(), name="channel-list"),
]

urlpatterns = [
    re_path(
        r"^inboxes/email/(?P<esp>[a-z_]+)/(?P<kind>inbound|tracking)/$",
        email_webhooks.esp_webhook,
        name="email-webhook",
    ),
    path("inboxes/whatsapp/<str:channel_id>/", whatsapp_webhook, name="whatsapp-webhook"),
    path("inboxes/wechat/<str:channel_id>/", wechat_webhook, name="wechat-webhook"),
    path(
        "inboxes/email/raw/<int:message_id>.eml", views.message_email_raw, name="message-email-raw"
    ),
]
