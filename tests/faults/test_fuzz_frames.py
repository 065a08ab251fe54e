"""No socket frame can crash anything: hypothesis writes frames of every known type with
hostile values (lone surrogates, NUL, deep nesting, huge and negative numbers, wrong types,
ids of conversations that exist and that do not) and sends them on a shopper's and an agent's
socket, in process on the real router, the test run's Redis layer and PostgreSQL.

After every batch the socket is still open and answers a ping, no handler failed (the
consumers turn an unexpected exception into ``unavailable`` and log it: that counts as a
crash here), and nothing was logged at ERROR. ``tests/faults/test_hostile_input.py`` sends a
fixed list of 2,000 hostile frames over real servers; this one searches.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.calls.signalling import HANDLERS as CALL_HANDLERS
from tests.factories import make_agent, make_visitor, shopper_says, visitor_token
from tests.sockets import agent_socket, visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True)]

TYPES = [
    "message.send",
    "resume",
    "typing",
    "read",
    "ping",
    "subscribe",
    "unsubscribe",
    "list.watch",
    "auth",
    *CALL_HANDLERS,
]
FIELDS = [
    "client_id",
    "body",
    "conversation",
    "after_seq",
    "seq",
    "on",
    "private",
    "attachment",
    "view",
    "status",
    "ids",
    "token",
    "call",
    "sdp",
    "candidate",
    "kind",
]

hostile_text = st.one_of(
    st.sampled_from(["\ud800", "a\udfffb", "a\x00b", "", " ", "x" * 70_000, "NaN", "-1"]),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Co", "Zl"]), max_size=8),
    st.text(max_size=30),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, -1, 2**31, 2**63, 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)


def _valid(kind: str, conversation: int, n: int) -> dict[str, Any]:
    """A frame of ``kind`` a good client could send: the fuzz then spoils a field or two."""
    base: dict[str, Any] = {"type": kind, "conversation": conversation}
    extra = {
        "message.send": {"client_id": f"fz-{n}", "body": "hello"},
        "resume": {"after_seq": 0},
        "typing": {"on": True},
        "read": {"seq": 1},
        "list.watch": {"view": "all", "status": "open", "ids": [conversation]},
        "call.invite": {"kind": "audio"},
        "call.offer": {"call": 1, "sdp": "v=0"},
        "call.answer": {"call": 1, "sdp": "v=0"},
        "call.candidate": {"call": 1, "candidate": {"candidate": "x"}},
    }.get(kind, {})
    return {**base, **extra}


@st.composite
def frames(draw: Any, conversation_ids: list[int]) -> str:
    if draw(st.integers(0, 30)) == 0:
        return "[" * 2000 + "]" * 2000  # deep nesting
    # Sends first: a send reaches the most code (the INSERT, the echo of its client_id).
    kind = draw(st.sampled_from(["message.send"]) | st.sampled_from(TYPES))
    frame = _valid(kind, draw(st.sampled_from(conversation_ids)), draw(st.integers(0, 10**9)))
    spoil = [*frame][1:]  # one of the frame's own fields, or any other
    for field in draw(st.lists(st.sampled_from(spoil) | st.sampled_from(FIELDS), max_size=2)):
        frame[field] = draw(hostile_text | values)
    if draw(st.integers(0, 10)) == 0:
        frame["type"] = draw(hostile_text)
    # ensure_ascii: a lone surrogate travels as \ud800, as a hostile client sends it
    return json.dumps(frame)


class Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _alive(comm: Any) -> bool:
    await comm.send_json_to({"type": "ping"})
    for _ in range(200):
        frame = await comm.receive_json_from(timeout=10)
        if frame["type"] == "pong":
            return True
    return False


def _run(open_socket: Any, batch: list[str]) -> None:
    failures = Failures()
    logging.getLogger().addHandler(failures)
    try:

        async def run() -> None:
            comm = await open_socket()
            try:
                for raw in batch:
                    await comm.send_to(text_data=raw)
                assert await _alive(comm), "no pong"
            finally:
                await comm.disconnect()

        async_to_sync(run)()
    finally:
        logging.getLogger().removeHandler(failures)
    crashed = [r.getMessage() for r in failures.records]
    assert not crashed, (crashed[:3], batch[:5])


@pytest.fixture
def people(settings: Any) -> dict[str, Any]:
    # Frames are answered, not rate limited: the search is for crashes.
    settings.HELPDESK = {**settings.HELPDESK, "RATE_PER_SECOND": 10_000, "RATE_BURST": 10_000}
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hello").conversation
    other = shopper_says(make_visitor(), "someone else").conversation
    return {
        "token": visitor_token(visitor),
        "agent": make_agent(),
        "ids": [conversation.pk, other.pk, 0, -1, 2**63, 999_999],
    }


EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def test_no_shopper_frame_crashes_the_socket(people: dict[str, Any]) -> None:
    @EXAMPLES
    @given(batch=st.lists(frames(people["ids"]), min_size=1, max_size=12))
    def check(batch: list[str]) -> None:
        _run(lambda: visitor_socket(people["token"]), batch)

    check()


def test_no_agent_frame_crashes_the_socket(people: dict[str, Any]) -> None:
    @EXAMPLES
    @given(batch=st.lists(frames(people["ids"]), min_size=1, max_size=12))
    def check(batch: list[str]) -> None:
        _run(lambda: agent_socket(people["agent"]), batch)

    check()
