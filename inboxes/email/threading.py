"""Which conversation an email continues.

In order: the signed Reply-To address we sent (``shop+c45.k3j9…@example.com``: survives
mail clients that drop threading headers), then ``In-Reply-To`` and ``References`` naming a
message we sent or received on this channel. Our outgoing Message-IDs are random, so naming
one proves the sender received our mail.
"""

from __future__ import annotations

import re

from django.utils.crypto import constant_time_compare, salted_hmac

from chat.models import Channel

from ..inbound import external_key
from ..models import ExternalMessage

_TAG = re.compile(r"^c(\d{1,19})\.([0-9a-z]{10,16})$")


def _signature(channel: Channel, conversation_id: int) -> str:
    digest = salted_hmac("inboxes.reply-to", f"{channel.pk}:{conversation_id}", algorithm="sha256")
    return digest.hexdigest()[:12]


def reply_address(channel: Channel, conversation_id: int) -> str:
    """The channel's address with the conversation and its signature as a plus tag."""
    local, _at, domain = str(channel.config.get("address", "")).partition("@")
    return f"{local}+c{conversation_id}.{_signature(channel, conversation_id)}@{domain}"


def conversation_from_address(channel: Channel, addresses: list[str]) -> int | None:
    """The conversation a signed reply address among ``addresses`` names, if it verifies."""
    local, _at, domain = str(channel.config.get("address", "")).lower().partition("@")
    for address in addresses:
        a_local, _at, a_domain = address.lower().partition("@")
        if a_domain != domain or not a_local.startswith(local + "+"):
            continue
        match = _TAG.match(a_local[len(local) + 1 :])
        if match and constant_time_compare(
            match.group(2), _signature(channel, int(match.group(1)))
        ):
            return int(match.group(1))
    return None


def conversation_from_references(channel: Channel, ids: list[str]) -> int | None:
    """The conversation of the newest message we know among ``ids`` (In-Reply-To first)."""
    found = thread_from_references(channel, ids)
    return found[0] if found is not None else None


def thread_from_references(channel: Channel, ids: list[str]) -> tuple[int, int | None] | None:
    """``conversation_from_references`` with that conversation's channel, in the same read:
    (conversation id, its channel id)."""
    keys = [external_key(i) for i in ids if i][:100]
    if not keys:
        return None
    rows = {
        key: (conversation_id, channel_id)
        for key, conversation_id, channel_id in ExternalMessage.objects.filter(
            channel=channel, external_id__in=keys, conversation__isnull=False
        ).values_list("external_id", "conversation_id", "conversation__channel_id")
    }
    for key in keys:
        if key in rows:
            conversation_id, channel_id = rows[key]
            return int(conversation_id), channel_id
    return None


def addressed_to(channel: Channel, addresses: list[str]) -> bool:
    """Whether mail to ``addresses`` is for this channel (its address, or a plus tag of it)."""
    local, _at, domain = str(channel.config.get("address", "")).lower().partition("@")
    for address in addresses:
        a_local, _at, a_domain = address.lower().partition("@")
        if a_domain == domain and (a_local == local or a_local.startswith(local + "+")):
            return True
    return False
