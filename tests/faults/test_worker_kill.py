"""A Celery worker killed (``kill -9``) in the middle of a task: the task runs again on the
next worker (late acknowledgement, ``CELERY_TASK_ACKS_LATE``) and its effect happens once;
and a second beat started by mistake doubles the schedule but never a report.

The worker is caught mid-task deterministically: the test holds the lock the task needs (the
conversation's row for the bot's reply, the roll-up's advisory lock for the report tick),
waits until PostgreSQL shows the worker waiting on it, and kills the worker there. Before
late acknowledgement a task taken by a dying worker was gone.

This scenario has a world of its own (the bot on, a short visibility timeout so Redis hands
an unacknowledged task to the next worker within seconds rather than five minutes)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from celery import Celery

from analytics.services.rollup import LOCK_KEY

from .clients import Agent, Shopper, agent_cookie, widget_session
from .shop_app import ShopApp, app_conversation
from .stack import Process, Stack, bound, report, stack

pytestmark = [pytest.mark.slow]

VISIBILITY = 10  # seconds: longer than the worker is paused below; kombu looks every 10 s
CLAIM = 6  # seconds a worker holds a delivery for one send


@pytest.fixture(scope="module")
def kill_world() -> Iterator[Stack]:
    with stack(
        servers=1,
        worker=False,
        extra_env={
            "HELPDESK_BOT_ENABLED": "1",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            # A delivery's claim shorter than the visibility timeout, as in production (120 s
            # against 300 s): the redelivered send finds it expired.
            "HELPDESK_SEND_CLAIM_SECONDS": str(CLAIM),
        },
    ) as world:
        world.start_worker(loglevel="INFO", pool="prefork")
        yield world


def _client(world: Stack) -> Celery:
    """A Celery client of the world's broker. Its results are waited for with
    ``disable_sync_subtasks=False``: earlier tests in the same pytest process run Celery's own
    worker machinery in-process, which marks the process as one whose tasks must not block on
    a result, and ``get`` would refuse."""
    return Celery("faults-client", broker=world.redis.url, backend=world.redis.url)


def _wait(predicate, timeout: float, step: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def _blocked_by(world: Stack, holder_pid: int) -> str:
    """The query of a backend waiting for a lock that ``holder_pid`` holds, or ''."""
    return world.pg.sql(
        "SELECT left(query, 200) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
        f"pg_blocking_pids(pid) @> ARRAY[{holder_pid}] LIMIT 1"
    )


TASK_LINE = re.compile(r"Task ([\w.]+)\[([\w-]+)\] (received|succeeded|failed|raised)")


def _busy_with(world: Stack) -> str:
    """The task the worker took last and has not finished, or ''."""
    assert world.worker is not None
    state: dict[str, tuple[str, str]] = {}
    for name, task_id, what in TASK_LINE.findall(world.worker.log()):
        state[task_id] = (name, what)
    running = [name for name, what in state.values() if what == "received"]
    return running[-1] if running else ""


def _unacked(world: Stack) -> int:
    """Tasks the broker has handed out and not seen acknowledged (kombu's ``unacked`` hash)."""
    import redis

    return int(redis.Redis.from_url(world.redis.url).hlen("unacked"))


def _kill_worker_mid_task(world: Stack) -> None:
    assert world.worker is not None
    # SIGKILL to the worker and its pool child at once (a lost machine): no chance to
    # acknowledge, reject or requeue anything.
    world.worker.kill_tree()
    world.start_worker(loglevel="INFO", pool="prefork")


def _bot_messages(world: Stack, conversation_id: int) -> int:
    return int(
        world.pg.sql(
            "SELECT count(*) FROM chat_message WHERE conversation_id = "
            f"{conversation_id} AND sender_kind = 'bot'"
        )
    )


def test_bot_reply_runs_again_after_its_worker_dies_and_answers_once(kill_world: Stack) -> None:
    world = kill_world
    assert world.worker is not None

    async def run() -> dict[str, object]:
        token = await widget_session(world.bases[0])
        shopper = Shopper(world.bases, token, "kill")
        shopper.start()
        await asyncio.wait_for(shopper.connected.wait(), 90)
        await shopper.say("hello, where is my parcel?", wait=True, timeout=60)
        conversation_id = int(next(iter(shopper.stats.acked.values()))["conversation"])
        # The bot answers the first message: the worker works.
        assert await asyncio.to_thread(
            _wait, lambda: _bot_messages(world, conversation_id) >= 1, bound(30)
        ), world.worker.log()[-3000:]
        before = _bot_messages(world, conversation_id)

        # The second message's bot task reaches a worker that must wait for the row. The
        # message itself takes that row to be stored, so the worker is paused (SIGSTOP) while
        # the shopper sends, the row is taken, and the worker goes on (SIGCONT).
        assert world.worker is not None
        os.kill(world.worker.pid, signal.SIGSTOP)
        await shopper.say("and can I still change the address?", wait=True, timeout=60)
        message_id = max(int(m["id"]) for m in shopper.stats.acked.values())
        holder = await psycopg.AsyncConnection.connect(world.pg.url)
        await holder.execute(
            "SELECT id FROM chat_conversation WHERE id = %s FOR UPDATE", [conversation_id]
        )
        os.kill(world.worker.pid, signal.SIGCONT)
        blocked = await asyncio.to_thread(
            _wait, lambda: _blocked_by(world, holder.info.backend_pid), bound(20)
        )
        # The bot task's first write (the message's sentiment row) waits at its COMMIT for the
        # row: Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED).
        assert blocked, "the bot's task never reached the conversation's row"
        assert _busy_with(world) == "chat.bot.reply_many", world.worker.log()[-2000:]
        # Late acknowledgement: the broker still holds the task the worker is running.
        unacked = _unacked(world)
        killed_at = time.monotonic()
        await asyncio.to_thread(_kill_worker_mid_task, world)
        await holder.rollback()
        await holder.close()

        answered = await asyncio.to_thread(
            _wait, lambda: _bot_messages(world, conversation_id) > before, bound(40)
        )
        recovered = time.monotonic() - killed_at
        assert answered, "the task of the killed worker never ran again"
        # Redelivered once more (a second redelivery, a sweep): still one answer per message.
        _client(world).send_task("chat.bot.reply", args=[message_id])
        await asyncio.sleep(VISIBILITY + 2)
        await shopper.stop()
        return {"before": before, "after": _bot_messages(world, conversation_id),
                "rerun_after_s": round(recovered, 1), "unacked": unacked}  # fmt: skip

    figures = asyncio.run(run())
    report("worker kill (bot reply)", **figures)
    assert figures["unacked"] == 1
    assert figures["after"] == figures["before"] + 1  # type: ignore[operator]


def test_report_tick_runs_again_after_its_worker_dies(kill_world: Stack) -> None:
    world = kill_world
    client = _client(world)
    with psycopg.connect(world.pg.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        result = client.send_task("analytics.rollup_tick")
        blocked = _wait(lambda: _blocked_by(world, holder.info.backend_pid), bound(20))
        assert "pg_advisory_xact_lock" in blocked, "the tick never reached its lock"
        assert _busy_with(world) == "analytics.rollup_tick"
        unacked = _unacked(world)
        killed_at = time.monotonic()
        _kill_worker_mid_task(world)
        holder.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    outcome = result.get(timeout=bound(40), disable_sync_subtasks=False)
    report(
        "worker kill (report tick)",
        rerun_after_s=round(time.monotonic() - killed_at, 1),
        unacked=unacked,
    )
    assert unacked == 1
    assert set(outcome) == {"hours", "days", "imported", "sla"}


def _sent_ticks(*beats: Process) -> int:
    """How many times the beats sent the job (what a worker then runs, however slowly)."""
    return sum(b.log().count("Sending due task faults-tick") for b in beats)


def _rollups(world: Stack) -> str:
    return world.pg.sql(
        "SELECT 'h', (to_jsonb(h) - 'id')::text FROM analytics_hourlyrollup h UNION ALL "
        "SELECT 'd', (to_jsonb(d) - 'id')::text FROM analytics_dailyrollup d ORDER BY 1, 2"
    )


def _drained(world: Stack) -> bool:
    import redis

    client = redis.Redis.from_url(world.redis.url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_two_beats_double_the_schedule_but_never_a_report(kill_world: Stack) -> None:
    """Production runs one beat (docs/deployment.md); a second one started by mistake sends
    every job twice, and the report must not change: the tick recomputes whole hours and days
    from the facts under an advisory lock, so the rollups equal a full rebuild's."""
    world = kill_world
    settings_module = "tests.faults.beat_settings"
    beats = [world.start_beat("beat1", settings_module), world.start_beat("beat2", settings_module)]
    assert _wait(lambda: all("beat: Starting" in b.log() for b in beats), bound(60)), [
        b.log()[-1000:] for b in beats
    ]

    async def chat() -> int:
        tokens = await asyncio.gather(*(widget_session(world.bases[0]) for _ in range(3)))
        shoppers = [Shopper(world.bases, t, f"beats-{n}") for n, t in enumerate(tokens)]
        for shopper in shoppers:
            shopper.start()
        await asyncio.gather(*(asyncio.wait_for(s.connected.wait(), 90) for s in shoppers))
        started = time.monotonic()
        while time.monotonic() - started < 12:
            for shopper in shoppers:
                await shopper.say("is this in stock?", wait=True, timeout=60)
            await asyncio.sleep(0.5)
        for shopper in shoppers:
            await shopper.stop()
        return sum(len(s.stats.acked) for s in shoppers)

    sent = asyncio.run(chat())
    time.sleep(6)  # ticks after the last message (and the bot's answers) came in
    for beat in beats:
        beat.kill()
    ticks = _sent_ticks(*beats)
    assert _wait(lambda: _drained(world), bound(60)), "the worker never ran the queued ticks"
    by_ticks = _rollups(world)
    _client(world).send_task("analytics.rollup_rebuild").get(
        timeout=bound(60), disable_sync_subtasks=False
    )
    rebuilt = _rollups(world)
    report("two beats", messages=sent, ticks_sent=ticks, rollup_rows=len(rebuilt.splitlines()))
    assert ticks >= 2 * 4, f"both beats should have sent the job: {ticks}"
    assert by_ticks and by_ticks == rebuilt


def _delivery(world: Stack, marker: str) -> str:
    return world.pg.sql(
        "SELECT d.status || '/' || d.attempts FROM inboxes_outbounddelivery d JOIN chat_message "
        f"m ON m.id = d.message_id WHERE m.body LIKE '%{marker}%'"
    )


def test_outbound_send_happens_once_across_a_worker_killed_mid_send(kill_world: Stack) -> None:
    """An agent's reply on the API channel: the worker is killed (``kill -9``, with its pool
    child) while the app holds the webhook post open. The task is redelivered (late ack), its
    claim has expired, and it posts again with the same ``X-Helpdesk-Event-Id``: delivered at
    least once, acted on once. A second reply's worker is killed before it reaches the app
    (waiting for the delivery's row): that one reaches the app exactly once."""
    world = kill_world
    app = ShopApp()
    try:
        conversation = app_conversation(world, app, message_id="app-1", user="user-1")
        cookie = agent_cookie(world.bases[0], world.env(), "outbound-agent", supervisor=True)

        async def reply(marker: str, before_send: Any = None) -> None:
            agent = Agent(world.bases, cookie, f"out-{marker}", conversation)
            agent.start()
            await asyncio.wait_for(agent.connected.wait(), 90)
            await agent.say(f"Your parcel left today {marker}", wait=True, timeout=60)
            await agent.stop()

        # 1. Killed mid-send: the app has the post, the desk never heard back.
        app.hold_marker = "MARK-MID"
        asyncio.run(reply("MARK-MID"))
        assert app.held.wait(bound(30)), world.worker.log()[-2000:] if world.worker else ""
        unacked = _unacked(world)
        killed_at = time.monotonic()
        _kill_worker_mid_task(world)
        app.release.set()
        assert _wait(lambda: _delivery(world, "MARK-MID").startswith("sent"), bound(60)), (
            _delivery(world, "MARK-MID"),
            world.worker.log()[-3000:] if world.worker else "",
        )
        mid = {
            "resent_after_s": round(time.monotonic() - killed_at, 1),
            "unacked": unacked,
            "posts": len(app.with_marker("MARK-MID")),
            "event_ids": len({e for e, _b in app.with_marker("MARK-MID")}),
            "delivery": _delivery(world, "MARK-MID"),
        }

        # 2. Killed before the send: the worker waits for the delivery's row the test holds.
        assert world.worker is not None
        os.kill(world.worker.pid, signal.SIGSTOP)
        asyncio.run(reply("MARK-PRE"))
        holder = psycopg.connect(world.pg.url)
        holder.execute(
            "SELECT d.message_id FROM inboxes_outbounddelivery d JOIN chat_message m "
            "ON m.id = d.message_id WHERE m.body LIKE '%MARK-PRE%' FOR UPDATE OF d"
        )
        os.kill(world.worker.pid, signal.SIGCONT)
        blocked = _wait(lambda: _blocked_by(world, holder.info.backend_pid), bound(20))
        assert "UPDATE" in blocked, blocked
        _kill_worker_mid_task(world)
        holder.rollback()
        holder.close()
        assert _wait(lambda: _delivery(world, "MARK-PRE").startswith("sent"), bound(60)), _delivery(
            world, "MARK-PRE"
        )
        time.sleep(VISIBILITY + 2)  # a further redelivery would have posted by now
        pre = {
            "posts": len(app.with_marker("MARK-PRE")),
            "delivery": _delivery(world, "MARK-PRE"),
        }
        effects = {
            m: sum(1 for b in app.effects.values() if m in b) for m in ("MARK-MID", "MARK-PRE")
        }
    finally:
        app.close()
    report("worker kill (outbound send)", mid_send=mid, before_send=pre, app_effects=effects)
    assert mid["unacked"] == 1
    # At least once on the wire, with one event id: the app acts on it once.
    assert mid["posts"] == 2 and mid["event_ids"] == 1
    assert pre["posts"] == 1
    assert effects == {"MARK-MID": 1, "MARK-PRE": 1}
    assert mid["delivery"] == "sent/1" and pre["delivery"] == "sent/1"


TRANSCRIPT_SETUP = """
from chat.access import Actor
from chat.models import Channel, Conversation
from chat.services import conversation_status_set
from tests.factories import make_agent, make_email_channel, make_visitor, shopper_says
make_email_channel({port}, transcripts=True)
web = Channel.objects.get(kind="web", is_default=True)
web.config = {{**web.config, "transcripts": True}}
web.save()
visitor = make_visitor(email="wei@example.com", name="Wei")
shopper_says(visitor, "Do you have it in red?")
conversation = Conversation.objects.get(visitor=visitor)
agent = make_agent("transcript-agent", supervisor=True)
conversation_status_set(actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved")
print(conversation.pk)
"""


def _pending_transcripts(world: Stack) -> int:
    return int(
        world.pg.sql("SELECT count(*) FROM helpdesk_pendingtask WHERE task = 'inboxes.transcript'")
    )


def test_transcript_is_mailed_once_across_a_worker_killed_after_the_send(
    kill_world: Stack,
) -> None:
    """A resolved web chat's transcript (a pending task: helpdesk/pending.py): the worker
    mails it, then waits to delete the task's pending row (the test holds the row), and is
    killed there (``kill -9``, with its pool child). The task is redelivered (late ack) and
    runs again: it finds the mail sent and sends nothing. Before the transcript's send was
    recorded (``inboxes.models.TranscriptMail``) the shopper got it twice."""
    import subprocess
    import sys

    from tests.procs import ROOT
    from tests.providers import smtp_server

    world = kill_world
    assert world.worker is not None
    with smtp_server() as (_host, port, sink):
        # The worker is paused while the chat is resolved (its transcript written down and
        # queued) and the test takes the pending row; then it goes on.
        os.kill(world.worker.pid, signal.SIGSTOP)
        try:
            conversation_id = int(
                subprocess.run(
                    [sys.executable, "manage.py", "shell", "-c", TRANSCRIPT_SETUP.format(port=port)],
                    cwd=ROOT, env=world.env(), check=True, capture_output=True, text=True,
                ).stdout.strip().splitlines()[-1]
            )  # fmt: skip
            holder = psycopg.connect(world.pg.url)
            rows = holder.execute(
                "SELECT id FROM helpdesk_pendingtask WHERE task = 'inboxes.transcript' FOR UPDATE"
            ).fetchall()
            assert len(rows) == 1, rows
        finally:
            os.kill(world.worker.pid, signal.SIGCONT)
        blocked = _wait(lambda: _blocked_by(world, holder.info.backend_pid), bound(30))
        assert "DELETE" in blocked, (blocked, world.worker.log()[-3000:])
        assert len(sink.mails) == 1, world.worker.log()[-3000:]
        assert _busy_with(world) == "helpdesk.pending_run", world.worker.log()[-2000:]
        unacked = _unacked(world)
        killed_at = time.monotonic()
        _kill_worker_mid_task(world)
        holder.rollback()
        holder.close()
        assert _wait(lambda: _pending_transcripts(world) == 0, bound(60)), world.worker.log()[
            -3000:
        ]
        ran_again_s = round(time.monotonic() - killed_at, 1)
        time.sleep(VISIBILITY + 2)  # a further redelivery would have mailed by now
        mails = [m for _f, to, m in sink.mails if to == ["wei@example.com"]]
    report(
        "worker kill (transcript)",
        unacked=unacked,
        pending_gone_after_s=ran_again_s,
        mails=len(mails),
        message_ids=len({m["Message-ID"] for m in mails}),
    )
    assert unacked == 1
    assert len(mails) == 1, [m["Message-ID"] for m in mails]
    recorded = world.pg.sql(
        "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL) || '/' || count(*) "
        f"FROM inboxes_transcriptmail WHERE conversation_id = {conversation_id}"
    )
    assert recorded == "1/1"
