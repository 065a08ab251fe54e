"""UI strings of the media part of the widget, served translated by /api/widget/config."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

WIDGET_STRINGS = {
    "attach": _("Attach a file"),
    "record": _("Record a voice clip"),
    "stop": _("Stop and send"),
    "video": _("Send a short video"),
    "recording": _("Recording… %(seconds)s s"),
    "uploading": _("Uploading %(name)s…"),
    "cancel": _("Cancel"),
    "too_large": _("%(name)s is too large (at most %(limit)s)."),
    "refused": _("Files of this type cannot be sent: %(name)s"),
    "failed": _("The upload failed: %(detail)s"),
    "download": _("Download"),
    "open": _("Open full size"),
    "no_mic": _("The microphone is not available."),
    "no_camera": _("The camera is not available."),
    "drop": _("Drop files to send them"),
    "expired": _("This file is no longer available."),
}


def register() -> None:
    from helpdesk.storefront import widget_strings_register

    widget_strings_register("media", WIDGET_STRINGS)
