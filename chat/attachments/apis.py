"""REST for uploads: ``POST /api/v1/uploads`` (multipart), the limits, one upload's details.

Shoppers authenticate with ``Authorization: Visitor <token>``, agents with the session (and
CSRF). The upload returns an id; the message that carries it goes through ``message.send``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.api_common import actor_from_request
from helpdesk.auth import DeskSessionAuthentication, VisitorTokenAuthentication
from helpdesk.errors import BadRequest, TooLarge

from . import services
from .payload import attachment_payload
from .selectors import attachment_by_public_id, limits_get, limits_payload

# Multipart framing around the file: boundaries, headers, the file name.
MULTIPART_OVERHEAD = 64 * 1024

ATTACHMENT_FIELDS: dict[str, Any] = {
    "id": serializers.UUIDField(),
    "kind": serializers.CharField(),
    "url": serializers.CharField(),
    "name": serializers.CharField(),
    "size": serializers.IntegerField(),
    "content_type": serializers.CharField(),
    "width": serializers.IntegerField(allow_null=True),
    "height": serializers.IntegerField(allow_null=True),
    "duration": serializers.FloatField(allow_null=True),
    "thumbnail": serializers.DictField(allow_null=True),
    "expires_at": serializers.DateTimeField(),
}


# One component for the schema (a new inline class per use would be two "Attachment"s).
ATTACHMENT_OUT = inline_serializer("Attachment", dict(ATTACHMENT_FIELDS))


class UploadApi(APIView):
    """Upload one file; the type is decided from its content, limits come from the admin.
    413 over a limit, 415 for a refused or unreadable type."""

    authentication_classes = [VisitorTokenAuthentication, DeskSessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Refuse an oversized body before the multipart parser (and the CSRF check) read it.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limits = limits_get()
        largest = max(limits.max_bytes(k) for k in ("image", "audio", "video", "file"))
        if length > largest + MULTIPART_OVERHEAD:
            raise TooLarge(
                _("Uploads are limited to %(mb)d MB.") % {"mb": largest // (1024 * 1024)}
            )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("UploadIn", {"file": serializers.FileField()})
        },
        responses={201: ATTACHMENT_OUT},
        tags=["media"],
    )
    def post(self, request: Request) -> Response:
        actor = actor_from_request(request)
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise BadRequest("Send one file in the field 'file'.", fields={"file": ["Required."]})
        upload = data.validated_data["file"]
        attachment = services.attachment_upload(
            actor=actor, fileobj=upload, name=upload.name, size=upload.size or 0
        )
        return Response(attachment_payload(attachment), status=status.HTTP_201_CREATED)


class UploadLimitsApi(APIView):
    """What may be uploaded (the widget and workspace check before sending a byte)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "UploadLimits",
            {
                "allowed_types": serializers.ListField(child=serializers.CharField()),
                "max_bytes": serializers.DictField(child=serializers.IntegerField()),
                "max_seconds": serializers.DictField(child=serializers.IntegerField()),
            },
        ),
        tags=["media"],
    )
    def get(self, request: Request) -> Response:
        return Response(limits_payload(limits_get()))


class UploadDetailApi(APIView):
    """An upload or sent attachment with fresh links (GET), or cancel an unsent one (DELETE)."""

    authentication_classes = [VisitorTokenAuthentication, DeskSessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ATTACHMENT_OUT, tags=["media"])
    def get(self, request: Request, public_id: Any) -> Response:
        attachment = attachment_by_public_id(
            actor=actor_from_request(request), public_id=str(public_id)
        )
        return Response(attachment_payload(attachment))

    @extend_schema(responses={204: None}, tags=["media"])
    def delete(self, request: Request, public_id: Any) -> Response:
        services.attachment_discard(actor=actor_from_request(request), attachment_id=str(public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
