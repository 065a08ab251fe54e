"""Translation on real sockets: a Daphne process and a Celery worker share the test database
and Redis; a local LibreTranslate answers slowly. The original is acked and delivered at once,
the translation follows as ``message.translated`` to the side that reads it, a failure
arrives as "not translated" and the retry's success replaces it, and a note never reaches
the provider or the shopper."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bench.server import login, widget_session
from tests.factories import make_agent
from tests.procs import celery_worker, daphne, server_env
from tests.providers import LibreTranslateApi, provider_server
from tests.sockets import Frame, next_frame, of_type, open_agent, open_shopper

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELAY = 2.0


@pytest.fixture
def stack(transactional_db: None) -> Iterator[tuple[str, LibreTranslateApi]]:
    from django.db import connection

    api = LibreTranslateApi()
    api.delay = DELAY
    with provider_server(api) as url:
        env = {
            **server_env(connection.settings_dict["NAME"]),
            "TRANSLATION_PROVIDER": "libretranslate",
            "TRANSLATION_URL": url,
            "TRANSLATION_TIMEOUT": "10",
            "TRANSLATION_RETRIES": "3",
            "TRANSLATION_BACKOFF_SECONDS": "1",
        }
        with daphne(env) as base, celery_worker(env, "translate-sockets"):
            yield base, api


def translated(seq: int) -> Any:
    return lambda f: f["type"] == "message.translated" and f["seq"] == seq


def send(text: str, client_id: str, conversation: int | None = None, **extra: Any) -> str:
    frame = {"type": "message.send", "client_id": client_id, "body": text, **extra}
    if conversation is not None:
        frame["conversation"] = conversation
    return json.dumps(frame)


def test_translations_follow_the_originals_as_update_frames(
    stack: tuple[str, LibreTranslateApi],
) -> None:
    base, api = stack
    make_agent("wei", name="Wei", language="zh")
    session = login(base, "wei", "pw-wei")
    token = widget_session(base)

    async def scenario() -> None:
        shopper = await open_shopper(base, token)
        staff = await open_agent(base, session)
        try:
            started = time.monotonic()
            await shopper.send(send("Wo ist meine Bestellung?", "s-1"))
            ack = await next_frame(shopper, of_type("message.ack"))
            # The provider takes DELAY seconds; the send never waits for it.
            assert time.monotonic() - started < DELAY
            assert ack["message"]["body"] == "Wo ist meine Bestellung?"
            assert ack["message"]["translation"] is None
            conversation = ack["message"]["conversation"]
            await staff.send(json.dumps({"type": "subscribe", "conversation": conversation}))

            frame: Frame = await next_frame(staff, translated(1), timeout=30)
            assert time.monotonic() - started >= DELAY
            # Routing gave the conversation to Wei (online) on commit, before the task ran:
            # into his Chinese.
            assert frame["translation"] == {
                "status": "done",
                "language": "zh",
                "source_language": "de",
                "body": "我的订单在哪里？",
            }
            assert frame["conversation"] == conversation
            assert frame["message"] == ack["message"]["id"]

            # The agent (Chinese) answers; the shopper gets the original at once, then German.
            await staff.send(send("您的订单明天发货。", "a-1", conversation))
            created = await next_frame(shopper, of_type("message.created"))
            assert created["message"]["body"] == "您的订单明天发货。"
            answer = created["message"]["seq"]
            frame = await next_frame(shopper, translated(answer), timeout=30)
            assert frame["translation"]["body"] == "Ihre Bestellung wird morgen versandt."
            assert frame["translation"]["language"] == "de"

            # A note: no provider call, nothing for the shopper.
            calls = len(api.translations())
            await staff.send(send("您的订单明天发货。", "a-2", conversation, private=True))
            await next_frame(staff, of_type("message.ack"))

            # The provider fails: "not translated" at once, the retry's success replaces it.
            api.delay = 0
            api.fail_next = 1
            await staff.send(send("您的订单明天发货。", "a-3", conversation))
            created = await next_frame(shopper, of_type("message.created"))
            again = created["message"]["seq"]
            assert again > answer + 1  # the note took a seq the shopper never sees
            failed = await next_frame(shopper, translated(again), timeout=30)
            assert failed["translation"]["status"] == "failed"
            done = await next_frame(shopper, translated(again), timeout=30)
            assert done["translation"]["status"] == "done"
            assert len(api.translations()) == calls + 2  # the note was never sent

            # History carries what was stored.
            await shopper.send(
                json.dumps({"type": "resume", "conversation": conversation, "after_seq": 0})
            )
            replayed = []
            while True:
                item = await next_frame(
                    shopper, lambda f: f["type"] in ("message.created", "resume.done")
                )
                if item["type"] == "resume.done":
                    break
                if item["message"]["sender"]["kind"] != "system":  # "Wei joined" and such
                    replayed.append(item["message"])
            assert [m["seq"] for m in replayed] == [1, answer, again]
            assert replayed[1]["translation"]["body"] == "Ihre Bestellung wird morgen versandt."
            assert replayed[2]["translation"]["status"] == "done"
        finally:
            await shopper.close()
            await staff.close()

    asyncio.run(scenario())
