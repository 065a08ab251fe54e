"""IMAP polling of a shop's own mailbox (IMAPClient, a maintained client library).

Each active email channel with ``imap_host`` is read once per beat tick: messages with a UID
above the last one taken (per UIDVALIDITY) are fetched whole and go through
``email_receive``; the cursor moves only past mail that was stored (or set aside), so a
crash re-reads, and the Message-ID dedupe makes that harmless. One poller per channel at a
time (a cache lock); the mailbox itself is left as it is, apart from the
\\Seen flag the fetch sets.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

from django.core.cache import cache
from imapclient import IMAPClient

from chat.models import Channel

from .receive import email_receive

logger = logging.getLogger(__name__)

BATCH = 50
LOCK_SECONDS = 600


class ImapError(Exception):
    pass


def _client(config: dict[str, Any]) -> IMAPClient:
    security = config.get("imap_security", "ssl")
    context = ssl.create_default_context()
    client = IMAPClient(
        config["imap_host"],
        port=int(config.get("imap_port") or 993),
        ssl=security == "ssl",
        ssl_context=context if security == "ssl" else None,
        timeout=30,
    )
    if security == "starttls":
        client.starttls(context)
    client.login(config.get("imap_username", ""), config.get("imap_password", ""))
    return client


def imap_poll(*, channel_id: int) -> int:
    """Fetch and store the channel's new mail; returns how many emails were taken. Each
    email commits on its own (no transaction stays open while the server is slow)."""
    channel = Channel.objects.filter(pk=channel_id, kind=Channel.Kind.EMAIL, active=True).first()
    if channel is None or not channel.config.get("imap_host"):
        return 0
    lock = f"inboxes:imap:{channel_id}"
    if not cache.add(lock, 1, timeout=LOCK_SECONDS):
        return 0  # another worker is reading this mailbox
    try:
        return _poll_locked(channel)
    finally:
        cache.delete(lock)


def _poll_locked(channel: Channel) -> int:
    config = channel.config
    state = dict(channel.state or {})
    taken = 0
    try:
        client = _client(config)
    except Exception as exc:
        state["imap_error"] = f"{type(exc).__name__}: {exc}"[:300]
        Channel.objects.filter(pk=channel.pk).update(state=state)
        logger.warning("IMAP login for channel %s failed: %s", channel.pk, exc)
        return 0
    try:
        selected = client.select_folder(config.get("imap_folder") or "INBOX")
        validity = int(selected.get(b"UIDVALIDITY", 0))
        last_uid = (
            int(state.get("imap_uid", 0))
            if int(state.get("imap_uidvalidity", 0)) == validity
            else 0
        )
        uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            fetched = client.fetch(chunk, ["RFC822"])
            for uid in chunk:
                raw = fetched.get(uid, {}).get(b"RFC822")
                if raw:
                    try:
                        email_receive(channel=channel, raw=bytes(raw))
                    except Exception:
                        # One unreadable mail must not block the mailbox: note it, move on.
                        logger.exception("IMAP mail uid %s of channel %s failed", uid, channel.pk)
                last_uid = uid
                taken += 1
                state.update({"imap_uid": last_uid, "imap_uidvalidity": validity})
                Channel.objects.filter(pk=channel.pk).update(state=state)
        state.pop("imap_error", None)
        Channel.objects.filter(pk=channel.pk).update(state=state)
    finally:
        try:
            client.logout()
        except Exception:  # the server went away meanwhile; nothing to clean up
            logger.debug("IMAP logout failed", exc_info=True)
    return taken


def imap_poll_all() -> int:
    ids = Channel.objects.filter(kind=Channel.Kind.EMAIL, active=True).values_list("pk", "config")
    total = 0
    for pk, config in ids:
        if isinstance(config, dict) and config.get("imap_host"):
            try:
                total += imap_poll(channel_id=pk)
            except Exception:
                logger.exception("IMAP poll of channel %s failed", pk)
    return total
