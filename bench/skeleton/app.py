"""The skeleton chat: the desk's widget protocol cut to its bones.

- ``POST /api/widget/session`` returns a random ``visitor_token`` (no database);
- ``/ws/visitor/``: ``auth`` → ``ready``; ``message.send`` stores the message with one
  ``INSERT`` through a psycopg async pool (a first message also inserts its conversation),
  acks the sender and publishes ``message.created`` to the conversation's group;
- ``/ws/agent/``: ``ready`` at once; ``resume`` joins the conversation's group and answers
  ``resume.done``.

No access checks, no seq, no listeners, no list updates: what any Channels chat on
PostgreSQL pays per message, so the desk's cost can be read against it in the same run.
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.skeleton.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from psycopg_pool import AsyncConnectionPool  # noqa: E402

SCHEMA = """
CREATE TABLE IF NOT EXISTS skel_conversation (id bigserial PRIMARY KEY, created_at timestamptz
  NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS skel_message (id bigserial PRIMARY KEY, conversation_id bigint NOT NULL
  REFERENCES skel_conversation, client_id varchar(64) NOT NULL, body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (conversation_id, client_id));
"""

_pool: AsyncConnectionPool | None = None
_pool_lock: Any = None


async def pool() -> AsyncConnectionPool:
    global _pool, _pool_lock
    if _pool is not None:
        return _pool
    import asyncio

    _pool_lock = _pool_lock or asyncio.Lock()
    async with _pool_lock:
        if _pool is None:
            fresh = AsyncConnectionPool(settings.DATABASE_URL, min_size=1, max_size=20, open=False)
            await fresh.open()
            async with fresh.connection() as conn:
                await conn.execute(SCHEMA)
            _pool = fresh
    return _pool


@csrf_exempt
def session(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"visitor_token": secrets.token_hex(16), "conversation": None})


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("api/widget/session", session), path("health", health)]


class Chat(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.conversation: int | None = None
        await self.accept()
        if self.scope["path"].startswith("/ws/agent/"):
            await self.send_json({"type": "ready", "agent": {"id": 0, "name": "agent"}})

    async def send_json(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        kind = frame.get("type")
        if kind == "auth":
            await self.send_json({"type": "ready", "conversation": None})
        elif kind == "message.send":
            await self.on_send(frame)
        elif kind == "resume":
            conversation = int(frame["conversation"])
            await self.channel_layer.group_add(f"c{conversation}", self.channel_name)
            await self.send_json(
                {"type": "resume.done", "conversation": conversation, "last_seq": 0}
            )

    async def on_send(self, frame: dict[str, Any]) -> None:
        db = await pool()
        async with db.connection() as conn:
            if self.conversation is None:
                cur = await conn.execute(
                    "INSERT INTO skel_conversation DEFAULT VALUES RETURNING id"
                )
                self.conversation = int((await cur.fetchone())[0])  # type: ignore[index]
            cur = await conn.execute(
                "INSERT INTO skel_message (conversation_id, client_id, body) VALUES (%s, %s, %s)"
                " RETURNING id, created_at",
                (self.conversation, frame["client_id"], frame["body"]),
            )
            message_id, created_at = await cur.fetchone()  # type: ignore[misc]
        message = {
            "id": message_id,
            "conversation": self.conversation,
            "client_id": frame["client_id"],
            "sender": {"kind": "visitor"},
            "body": frame["body"],
            "created_at": created_at.isoformat(),
        }
        await self.send_json({"type": "message.ack", "client_id": frame["client_id"],
                              "message": message})  # fmt: skip
        text = json.dumps({"type": "message.created", "message": message}, separators=(",", ":"))
        await self.channel_layer.group_send(
            f"c{self.conversation}", {"type": "frame.send", "text": text}
        )

    async def frame_send(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": URLRouter(
            [path("ws/visitor/", Chat.as_asgi()), path("ws/agent/", Chat.as_asgi())]
        ),
    }
)
