"""Attachments (images, files, voice clips, short videos) and the limits set in the admin."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .conversations import Message
from .people import Visitor

MB = 1024 * 1024

DEFAULT_ALLOWED_TYPES = "\n".join(
    [
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "audio/webm",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/wav",
        "video/webm",
        "video/mp4",
        "video/quicktime",
        "application/pdf",
        "text/plain",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]
)


def _mb_field(label: Any, default: int) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(1), MaxValueValidator(1024)],
        help_text=_("Megabytes"),
    )


class MediaLimits(models.Model):
    """What may be uploaded, and how big. One row (pk=1), edited in the admin."""

    image_max_mb = _mb_field(_("largest image"), 10)
    audio_max_mb = _mb_field(_("largest audio clip"), 10)
    audio_max_seconds = models.PositiveIntegerField(
        _("longest audio clip"),
        default=120,
        validators=[MinValueValidator(1)],
        help_text=_("Seconds"),
    )
    video_max_mb = _mb_field(_("largest video"), 50)
    video_max_seconds = models.PositiveIntegerField(
        _("longest video"),
        default=0,
        help_text=_("Seconds; 0 means only the size limit applies"),
    )
    file_max_mb = _mb_field(_("largest other file"), 20)
    allowed_types = models.TextField(
        _("allowed types"),
        default=DEFAULT_ALLOWED_TYPES,
        help_text=_(
            "One content type per line (decided from the file's content, e.g. image/png). "
            "SVG, HTML and programs are never shown inline even if allowed here."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("media limits")
        verbose_name_plural = _("media limits")

    def __str__(self) -> str:
        return str(_("Media limits"))

    def allowed(self) -> set[str]:
        return {line.strip().lower() for line in self.allowed_types.splitlines() if line.strip()}

    def max_bytes(self, kind: str) -> int:
        mb = {
            "image": self.image_max_mb,
            "audio": self.audio_max_mb,
            "video": self.video_max_mb,
        }.get(kind, self.file_max_mb)
        return mb * MB

    def max_seconds(self, kind: str) -> int:
        return {"audio": self.audio_max_seconds, "video": self.video_max_seconds}.get(kind, 0)


class Attachment(models.Model):
    """An uploaded file. Unattached until a ``message.send`` names its ``public_id``; a
    Celery beat task deletes uploads that were never attached."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        FILE = "file", _("File")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.OneToOneField(
        Message,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachment",
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    uploader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    uploader_visitor = models.ForeignKey(
        Visitor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=120)
    name = models.CharField(_("name"), max_length=255)
    size = models.BigIntegerField()
    file = models.FileField(max_length=255)
    thumbnail = models.FileField(max_length=255, blank=True)
    thumb_content_type = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumb_width = models.PositiveIntegerField(null=True, blank=True)
    thumb_height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(uploader_user__isnull=False) | Q(uploader_visitor__isnull=False),
                name="attachment_has_uploader",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(message__isnull=True),
                name="attachment_unattached",
            ),
        ]

    def __str__(self) -> str:
        return self.name
