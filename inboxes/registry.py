"""The kinds of channel and what each one does.

A kind is registered once (from its module's ``register()``, called by ``inboxes.listeners``):
its settings check, its sender (how a reply leaves; None for the web widget, whose socket
delivers) and its messaging window. Adding a channel is one module that registers its kind,
an inbound view that calls ``inboxes.inbound.inbound_receive``, and tests (docs/channels.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from chat.models import Channel, Conversation, Message


class SendError(Exception):
    """A send that did not go out. ``retry``: worth another try later (outage, time-out,
    rate limit); otherwise the provider refused it for good. ``reason`` is shown to agents."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class Window:
    """A platform's customer-service window. ``open``: a free-form reply may go out now;
    ``closes_at``: when it ends (None: not open); ``reason``: why a reply cannot go out,
    shown in the composer; ``template``: the platform offers approved templates instead."""

    open: bool
    closes_at: dt.datetime | None = None
    reason: str = ""
    template: bool = False


@dataclass(frozen=True)
class SendContext:
    """What a sender gets: the message, its conversation (with the contact visitor) and the
    channel; ``attempt`` counts from 1."""

    message: Message
    conversation: Conversation
    channel: Channel
    attempt: int


# A sender returns the provider's id for the message (or "" when the provider gives none).
Sender = Callable[[SendContext], str]
WindowRule = Callable[[Conversation, dt.datetime | None], Window | None]


@dataclass(frozen=True)
class ChannelKind:
    kind: str
    # Checks and normalises ``Channel.config`` for this kind; raises ValidationError.
    check_config: Callable[[dict[str, Any]], dict[str, Any]] = lambda config: config
    sender: Sender | None = None
    # Given the conversation and the shopper's last inbound time: the window, or None when
    # the channel has no window (web, email, API).
    window: WindowRule | None = None
    # Which contact identity the channel's addresses are (email, whatsapp, wechat, app).
    identity_kind: str = ""
    # Extra keys of the staff view of a conversation of this kind (e.g. the email subject).
    staff_fields: Callable[[Conversation], dict[str, Any]] | None = None
    help_text: str = ""
    config_keys: tuple[str, ...] = field(default_factory=tuple)


_kinds: dict[str, ChannelKind] = {}


def register(kind: ChannelKind) -> None:
    if kind.kind not in Channel.Kind.values:
        raise ValueError(f"{kind.kind!r} is not one of Channel.Kind")
    _kinds[kind.kind] = kind


def kind_of(channel_kind: str) -> ChannelKind | None:
    return _kinds.get(channel_kind)


def config_strings(
    config: dict[str, Any], keys: tuple[str, ...], *, required: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """The text settings ``keys`` of a kind's ``check_config``, stripped (missing or null:
    ""), and the errors so far: a value that is not text, a ``required`` one left empty."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in keys:
        value = config.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[key] = "Must be text."
            continue
        out[key] = value.strip()
    for key in required:
        if key not in errors and not out.get(key):
            errors[key] = "Required."
    return out, errors


def config_check(channel_kind: str, config: Any) -> dict[str, Any]:
    """The checked settings for a channel of this kind; ValidationError names what is wrong."""
    if not isinstance(config, dict):
        raise ValidationError({"config": "Settings must be a JSON object."})
    spec = _kinds.get(channel_kind)
    if spec is None:
        return config
    return spec.check_config(config)
