"""Agents' REST around channels: a message's email (headers, sanitised HTML, the original),
sending a failed message again, mailing a transcript, merging two contacts, the channel list
(the workspace's filter)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.access import Actor, access_conversation, is_agent
from chat.apis import IsAgent
from chat.attachments import storage as media_storage
from chat.models import Channel, Conversation, Message
from helpdesk.errors import BadRequest, NotFound
from orders.models import Customer
from orders.services import customers_merge

from . import outbound
from .contacts import customer_contacts
from .models import EmailDetail

TAGS = ["channels"]


def _agent_message(request: Any, message_id: int) -> Message:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        raise NotFound("Message not found.")
    access_conversation(actor=Actor(user=request.user), conversation_id=message.conversation_id)
    return message


class MessageEmailApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "MessageEmail",
            {
                "subject": serializers.CharField(),
                "from": serializers.CharField(),
                "to": serializers.CharField(),
                "cc": serializers.CharField(),
                "message_id": serializers.CharField(),
                "text": serializers.CharField(),
                "html": serializers.CharField(
                    help_text="Sanitised (nh3): no scripts, styles or images."
                ),
                "raw_url": serializers.CharField(allow_null=True),
            },
        ),
        tags=TAGS,
        summary="The email a message came in or went out as",
    )
    def get(self, request: Request, message_id: int) -> Response:
        message = _agent_message(request, message_id)
        detail = EmailDetail.objects.filter(message=message).first()
        if detail is None:
            raise NotFound("This message is not an email.")
        return Response(
            {
                "subject": detail.subject,
                "from": detail.from_address,
                "to": detail.to,
                "cc": detail.cc,
                "message_id": detail.mail_id,
                "text": detail.text,
                "html": detail.html,
                "raw_url": f"/inboxes/email/raw/{message.pk}.eml" if detail.raw else None,
            }
        )


@login_required
def message_email_raw(request: HttpRequest, message_id: int) -> HttpResponseBase:
    """The original email, as a download (never rendered by the browser)."""
    if not is_agent(request.user):
        raise Http404
    try:
        message = _agent_message(request, message_id)
    except NotFound:
        raise Http404 from None
    detail = EmailDetail.objects.filter(message=message).first()
    if detail is None or not detail.raw:
        raise Http404
    handle = media_storage.storage().open(detail.raw, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DeliveryRetryApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "DeliveryRetryOut",
                {"message": serializers.IntegerField(), "delivery": serializers.DictField()},
            )
        },
        tags=TAGS,
        summary="Send a failed message again",
    )
    def post(self, request: Request, message_id: int) -> Response:
        delivery = outbound.delivery_retry(actor=Actor(user=request.user), message_id=message_id)
        return Response({"message": message_id, "delivery": outbound.delivery_payload(delivery)})


class TranscriptApi(APIView):
    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={202: inline_serializer("TranscriptOut", {"to": serializers.CharField()})},
        tags=TAGS,
        summary="Mail the conversation's transcript to the shopper",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        from .email.transcript import transcript_address, transcript_channel
        from .tasks import transcript

        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = access_conversation(
            actor=Actor(user=request.user), conversation_id=conversation_id
        )
        if transcript_channel() is None:
            raise BadRequest("No email channel sends transcripts.")
        to = data.validated_data.get("email") or transcript_address(conversation)
        if not to:
            raise BadRequest("The shopper gave no email address.", fields={"email": ["Required."]})
        transcript.delay(conversation.pk, to, uuid.uuid4().hex)
        return Response({"to": to}, status=202)


class TemplateSendApi(APIView):
    """An approved WhatsApp template as the agent's reply (outside the 24-hour window too)."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=512)
        language = serializers.CharField(max_length=16, required=False, allow_blank=True)
        params = serializers.ListField(
            child=serializers.CharField(max_length=1000, allow_blank=True),
            required=False,
            max_length=20,
        )
        client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "TemplateSendOut",
                {"message": serializers.DictField(), "duplicate": serializers.BooleanField()},
            )
        },
        tags=TAGS,
        summary="Send an approved WhatsApp template to the customer",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        from chat import events

        from .whatsapp.templates import template_send

        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        message, created = template_send(
            actor=Actor(user=request.user),
            conversation_id=conversation_id,
            name=values["name"],
            language=values.get("language", ""),
            params=values.get("params", []),
            client_id=values.get("client_id", ""),
        )
        return Response(
            {"message": events.message_payload(message), "duplicate": not created},
            status=201 if created else 200,
        )


class ContactMergeApi(APIView):
    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        customer = serializers.IntegerField(help_text="The contact to keep.")
        other = serializers.IntegerField(help_text="The contact that joins it.")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "ContactMergeOut",
                {
                    "customer": serializers.IntegerField(),
                    "identities": serializers.ListField(child=serializers.DictField()),
                    "merges": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        tags=TAGS,
        summary="Merge two contacts: histories join, the merge is recorded",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pks = [data.validated_data["customer"], data.validated_data["other"]]
        found = {c.pk: c for c in Customer.objects.filter(pk__in=pks)}
        if len(found) != 2:
            raise NotFound("Contact not found.")
        keep, other = found[pks[0]], found[pks[1]]
        if other.external_id and not keep.external_id:
            keep, other = other, keep  # the shop's customer always stays
        customers_merge(keep=keep, merge=other, reason="agent", by_user=request.user)
        return Response({"customer": keep.pk, **customer_contacts(keep.pk)})


class ContactSearchApi(APIView):
    """The agents' search for the other contact of a merge: by name, email, phone or any
    address (WhatsApp number, WeChat openid …)."""

    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="At least 2 characters")],
        responses=inline_serializer(
            "ContactFound",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "external_id": serializers.CharField(),
                "identities": serializers.ListField(child=serializers.DictField()),
            },
            many=True,
        ),
        tags=TAGS,
        summary="Find contacts (for merging)",
    )
    def get(self, request: Request) -> Response:
        from .contacts import contacts_search

        q = str(request.query_params.get("q", "")).strip()[:100]
        if len(q) < 2:
            raise BadRequest("Type at least 2 characters.", fields={"q": ["Too short."]})
        return Response(contacts_search(q))


class ChannelListApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "ChannelOut",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "kind": serializers.CharField(),
            },
            many=True,
        ),
        tags=TAGS,
        summary="The desk's channels",
    )
    def get(self, request: Request) -> Response:
        rows = Channel.objects.order_by("name", "pk").values("id", "name", "kind", "active")
        return Response(list(rows))


def conversation_contacts(conversation: Conversation) -> dict[str, Any]:
    customer_id = conversation.customer_id or conversation.visitor.customer_id
    return customer_contacts(customer_id) if customer_id else {"identities": [], "merges": []}
