"""REST for the shop's own app (the API channel): post a shopper's message, upload a file for
one, register the webhook that receives agent messages, read a conversation's history.

Authenticated by the channel's token (``Authorization: Bearer hdc_…``). Thin views: input
serializer → one service → the shared payload builder (STYLE.md).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import events
from chat.access import Actor
from chat.attachments import services as media_services
from chat.attachments.payload import attachment_payload
from chat.models import Channel
from chat.selectors import messages_after
from helpdesk.edge import JSONParser as EdgeJSONParser
from helpdesk.errors import BadRequest, NotFound
from orders.models import Customer

from ..contacts import contact_visitor
from ..inbound import Inbound, inbound_receive
from .tokens import channel_for_token, webhook_secret_issue

TAGS = ["api channel"]


class ChannelPrincipal:
    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def __str__(self) -> str:
        return f"channel:{self.channel.pk}"


class ChannelTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ChannelPrincipal, Channel] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Bearer authorization header.")
        channel = channel_for_token(header[1].decode("ascii", "replace"))
        if channel is None:
            raise exceptions.AuthenticationFailed("Invalid channel token.")
        return ChannelPrincipal(channel), channel

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ChannelTokenScheme(OpenApiAuthenticationExtension):
    target_class = "inboxes.api.apis.ChannelTokenAuthentication"
    name = "channelToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The API channel's token (hdc_…), issued in the admin.",
        }


class IsChannel(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ChannelPrincipal)


class ContactIn(serializers.Serializer):
    id = serializers.CharField(max_length=200, help_text="The app's own id of the shopper.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    external_id = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        help_text="The shop's customer id: links the shopper to that customer (verified).",
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)


class ChannelApi(APIView):
    authentication_classes = [ChannelTokenAuthentication]
    permission_classes = [IsChannel]

    @property
    def channel(self) -> Channel:
        return self.request.user.channel  # type: ignore[union-attr]

    def valid(self, serializer_class: type[serializers.Serializer], request: Request) -> Any:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def contact(self, data: dict[str, Any]) -> Any:
        """The visitor for the app's contact; ``external_id``, email and phone are the shop's
        word (its token), so they link the contact to the customer as verified."""
        from orders.services import identity_attach

        customer = None
        if data.get("external_id"):
            customer, _created = Customer.objects.get_or_create(external_id=data["external_id"])
        visitor = contact_visitor(
            channel=self.channel,
            identity_kind="app",
            address=f"{self.channel.pk}:{data['id']}",
            name=data.get("name", ""),
            customer=customer,
        )
        owner = visitor.customer
        if owner is not None:
            for kind in ("email", "phone"):
                if data.get(kind):
                    identity_attach(
                        customer=owner, kind=kind, value=data[kind], verified=True, source="app"
                    )
        return visitor


class MessageIn(serializers.Serializer):
    message_id = serializers.CharField(
        max_length=200, help_text="The app's id of this message: a repeat stores nothing new."
    )
    contact = ContactIn()
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    attachment = serializers.UUIDField(
        required=False, help_text="An id from POST /api/v1/channel/uploads."
    )
    conversation = serializers.IntegerField(
        required=False, help_text="Continue this conversation (else the contact's current one)."
    )


class ChannelMessageApi(ChannelApi):
    parser_classes = [EdgeJSONParser]

    @extend_schema(
        request=MessageIn,
        responses={
            201: inline_serializer(
                "ChannelMessageOut",
                {
                    "message": serializers.DictField(),
                    "conversation": serializers.IntegerField(),
                    "duplicate": serializers.BooleanField(),
                },
            )
        },
        tags=TAGS,
        summary="A shopper's message from the shop's app",
    )
    def post(self, request: Request) -> Response:
        data = self.valid(MessageIn, request)
        visitor = self.contact(data["contact"])
        if data.get("attachment"):
            received = _send_with_upload(self.channel, visitor, data)
        else:
            received = inbound_receive(
                channel=self.channel,
                identity_kind="app",
                inbound=Inbound(
                    external_id=data["message_id"],
                    address=visitor.address,
                    body=data.get("body", ""),
                    conversation_hint=data.get("conversation"),
                ),
            )
        assert received.message is not None
        return Response(
            {
                "message": events.message_payload(received.message),
                "conversation": received.conversation_id,
                "duplicate": not received.created,
            },
            status=status.HTTP_201_CREATED if received.created else status.HTTP_200_OK,
        )


def _send_with_upload(channel: Channel, visitor: Any, data: dict[str, Any]) -> Any:
    """A message naming an upload: the upload is the contact's own (as in the widget)."""
    from django.db import transaction

    from chat.services.message_send import message_send

    from ..inbound import Received, already_received, client_id_for, external_key, state_touch
    from ..models import ExternalMessage

    seen = already_received(channel, data["message_id"])
    if seen is not None:
        return Received(seen.message, False, seen.conversation_id)
    actor = Actor(visitor=visitor)
    hint = data.get("conversation")
    with transaction.atomic():
        message, created = message_send(
            actor=actor,
            client_id=client_id_for(channel, data["message_id"]),
            body=data.get("body", ""),
            conversation_id=hint,
            attachment_id=str(data["attachment"]),
        )
        ExternalMessage.objects.get_or_create(
            channel=channel,
            external_id=external_key(data["message_id"]),
            defaults={
                "direction": ExternalMessage.Direction.IN,
                "message": message,
                "conversation_id": message.conversation_id,
            },
        )
        state_touch(conversation_id=message.conversation_id)
    return Received(message, created, message.conversation_id)


class ChannelUploadApi(ChannelApi):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ChannelUploadIn",
                {"file": serializers.FileField(), "contact": serializers.CharField()},
            )
        },
        responses={201: inline_serializer("ChannelUploadOut", {"id": serializers.UUIDField()})},
        tags=TAGS,
        summary="Upload a file for a shopper's next message (the media limits apply)",
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        upload = data.get("file")
        contact = data.get("contact")
        if upload is None or not hasattr(upload, "read"):
            raise BadRequest("Send one file in the field 'file'.", fields={"file": ["Required."]})
        if not isinstance(contact, str) or not contact or len(contact) > 200:
            raise BadRequest("Name the contact.", fields={"contact": ["Required."]})
        visitor = self.contact({"id": contact})
        attachment = media_services.attachment_upload(
            actor=Actor(visitor=visitor), fileobj=upload, name=upload.name, size=upload.size or 0
        )
        payload = attachment_payload(attachment)
        return Response({"id": payload["id"]}, status=status.HTTP_201_CREATED)


class WebhookIn(serializers.Serializer):
    url = serializers.URLField(max_length=500)


class ChannelWebhookApi(ChannelApi):
    parser_classes = [EdgeJSONParser]

    @extend_schema(
        request=WebhookIn,
        responses={
            200: inline_serializer(
                "ChannelWebhookOut",
                {"url": serializers.URLField(), "secret": serializers.CharField()},
            )
        },
        tags=TAGS,
        summary="Register the app's webhook; returns a new signing secret (shown once)",
    )
    def put(self, request: Request) -> Response:
        data = self.valid(WebhookIn, request)
        if not data["url"].startswith(("http://", "https://")):
            raise BadRequest("An http(s) URL.", fields={"url": ["http or https."]})
        secret = webhook_secret_issue(self.channel, data["url"])
        return Response({"url": data["url"], "secret": secret})


class ChannelHistoryApi(ChannelApi):
    @extend_schema(
        responses=inline_serializer(
            "ChannelHistoryOut",
            {
                "conversation": serializers.IntegerField(),
                "last_seq": serializers.IntegerField(),
                "messages": serializers.ListField(child=serializers.DictField()),
                "has_more": serializers.BooleanField(),
            },
        ),
        tags=TAGS,
        summary="A conversation's messages after a seq (the app heals by cursor)",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        from chat.models import Conversation

        owner = (
            Conversation.objects.select_related("visitor")
            .filter(pk=conversation_id, channel=self.channel)
            .first()
        )
        if owner is None:
            raise NotFound("Conversation not found.")
        conversation, messages = messages_after(
            actor=Actor(visitor=owner.visitor),
            conversation_id=conversation_id,
            after_seq=request.query_params.get("after_seq", "0"),
            limit=200,
        )
        return Response(
            {
                "conversation": conversation.pk,
                "last_seq": conversation.last_seq,
                "messages": [events.message_payload(m) for m in messages],
                "has_more": bool(messages) and messages[-1].seq < conversation.last_seq,
            }
        )
