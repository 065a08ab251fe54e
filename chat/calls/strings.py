"""UI strings of the widget's calls part (static/widget/parts/calls.js), served translated by
/api/widget/config as ``calls.<key>``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

WIDGET_STRINGS = {
    "incoming_video": _("%(name)s is calling you (video)"),
    "incoming_audio": _("%(name)s is calling you (voice)"),
    "accept": pgettext_lazy("call", "Accept"),
    "decline": pgettext_lazy("call", "Decline"),
    "calling": _("Calling…"),
    "connecting": pgettext_lazy("call", "Connecting…"),
    "connected": pgettext_lazy("call", "Connected"),
    "mute": pgettext_lazy("call", "Mute"),
    "unmute": pgettext_lazy("call", "Unmute"),
    "camera_off": _("Turn camera off"),
    "camera_on": _("Turn camera on"),
    "hangup": pgettext_lazy("call", "Hang up"),
    "ended": _("Call ended"),
    "no_answer": pgettext_lazy("call", "No answer"),
    "declined": _("Call declined"),
    "lost": _("The call was cut off."),
    "ask_video": _("Ask for a video call"),
    "ask_audio": _("Ask for a voice call"),
    "no_media": _("Your camera or microphone is not available."),
}


def register() -> None:
    from helpdesk.storefront import widget_strings_register

    widget_strings_register("calls", WIDGET_STRINGS)
