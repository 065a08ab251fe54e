"""The queue as the shopper sees it: positions as agents come and go, estimated wait, frames."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from chat import events
from chat import services as chat_services
from chat.access import Actor
from chat.models import AgentConnection, Conversation, ConversationRouting
from chat.routing import presence, selectors, services
from tests.factories import conversation_of, go_online, make_agent, make_team, team_agent

pytestmark = pytest.mark.django_db


def positions(conversations: list[Conversation]) -> list[int | None]:
    out = []
    for conversation in conversations:
        fresh = Conversation.objects.get(pk=conversation.pk)
        out.append(events.conversation_payload(fresh, staff=False)["queue_position"])
    return out


def test_positions_move_as_agents_come_and_go(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = [conversation_of(body="I need help") for _ in range(5)]
    assert positions(waiting) == [1, 2, 3, 4, 5]
    payload = events.conversation_payload(Conversation.objects.get(pk=waiting[0].pk), staff=False)
    assert payload["estimated_wait_seconds"] is None  # nobody available: no estimate

    with django_capture_on_commit_callbacks(execute=True):
        first = team_agent(team, capacity=2)
    assert positions(waiting) == [None, None, 1, 2, 3]
    payload = events.conversation_payload(Conversation.objects.get(pk=waiting[3].pk), staff=False)
    # Position 2 over a capacity of 2, one average handle time (default 300 s) each round.
    assert payload["estimated_wait_seconds"] == 300

    # A second agent comes online with one slot: the head of the queue moves to them.
    with django_capture_on_commit_callbacks(execute=True):
        second = team_agent(team, capacity=1)
    assert positions(waiting) == [None, None, None, 1, 2]
    assert Conversation.objects.get(pk=waiting[2].pk).assignee_id == second.pk

    # The second agent goes away: nothing of theirs moves, nothing new reaches them.
    presence.presence_set(user_id=second.pk, status="away")
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_status_set(
            actor=Actor(user=second), conversation_id=waiting[2].pk, status="resolved"
        )
    assert positions(waiting) == [None, None, None, 1, 2]

    # The first resolves one: capacity frees and the next is assigned the same moment.
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_status_set(
            actor=Actor(user=first), conversation_id=waiting[0].pk, status="resolved"
        )
    assert Conversation.objects.get(pk=waiting[3].pk).assignee_id == first.pk
    assert positions(waiting) == [None, None, None, None, 1]


def test_shopper_socket_group_gets_queue_position_frames(
    django_capture_on_commit_callbacks: Any,
) -> None:
    import asyncio

    from asgiref.sync import sync_to_async

    team = make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        one = conversation_of(body="I need help")
        two = conversation_of(body="I need help")

    def agent_arrives() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            team_agent(team, capacity=1)

    async def scenario() -> list[dict[str, Any]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        group = events.group_visitor(two.visitor_id)
        await layer.group_add(group, channel)
        frames = []
        try:
            await sync_to_async(agent_arrives)()
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=1.0)
                except TimeoutError:
                    break
                frames.append(events.event_frame(message))
        finally:
            await layer.group_discard(group, channel)
        return frames

    frames = async_to_sync(scenario)()
    assert Conversation.objects.get(pk=one.pk).assignee_id is not None
    moved = [f for f in frames if f["type"] == "queue.position"]
    assert moved and moved[-1]["conversation"] == two.pk
    assert moved[-1]["queue_position"] == 1
    assert moved[-1]["estimated_wait_seconds"] == 300


def test_average_handle_time_feeds_the_estimate(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True)
    agent = team_agent(team, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        served = conversation_of(body="I need help")
        waiting = conversation_of(body="I need help")
    now = timezone.now()
    Conversation.objects.filter(pk=served.pk).update(status="resolved", resolved_at=now)
    ConversationRouting.objects.filter(pk=served.pk).update(
        assigned_at=now - dt.timedelta(seconds=600)
    )
    selectors._handle_cache.clear()
    assert selectors.average_handle_seconds(team.pk) == pytest.approx(600)
    Conversation.objects.filter(pk=served.pk).update(assignee=None)
    # Make the agent busy with another conversation so `waiting` stays queued.
    Conversation.objects.filter(pk=served.pk).update(status="open", assignee=agent)
    routing = ConversationRouting.objects.get(pk=waiting.pk)
    assert selectors.queue_position(routing=routing) == 1
    assert selectors.estimated_wait_seconds(team_id=team.pk, position=1) == 600
    assert selectors.estimated_wait_seconds(team_id=team.pk, position=3) == 1800


def test_assign_all_serves_a_queue_whose_doorbell_was_lost() -> None:
    team = make_team(default=True)
    conversation = conversation_of(
        body="I need help"
    )  # on_commit callbacks never ran: queued nowhere yet
    services.conversation_enqueue(conversation_id=conversation.pk, reason="new")
    agent = team_agent(team)
    AgentConnection.objects.filter(user=agent).update(last_beat_at=timezone.now())
    assert services.assign_all() == [conversation.pk]
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == agent.pk


def test_team_less_queue_is_served_by_any_agent(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    assert ConversationRouting.objects.get(pk=conversation.pk).queue_team_id is None
    other = make_team("returns")
    with django_capture_on_commit_callbacks(execute=True):
        agent = team_agent(other)
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == agent.pk


def test_queue_overview_api(client: Any, django_capture_on_commit_callbacks: Any) -> None:
    team = make_team("desk", default=True)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_of(body="I need help")
    agent = team_agent(team, online=False)
    go_online(agent, "overview-channel")
    presence.presence_set(user_id=agent.pk, status="away")
    client.force_login(agent)
    body = client.get("/api/v1/queue/").json()
    row = next(t for t in body["teams"] if t["team"] and t["team"]["id"] == team.pk)
    assert row["waiting"] == 1 and row["agents_available"] == 0
    me = next(a for a in body["agents"] if a["id"] == agent.pk)
    assert me["status"] == "away" and me["available"] is False


def test_workspace_list_reads_routing_without_n_plus_one(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = make_team(default=True)
    agent = team_agent(team, capacity=50)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            conversation_of(body="I need help")
    assert Conversation.objects.filter(assignee=agent).count() == 12
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/conversations/?view=all&status=open")
    assert len(response.json()["results"]) == 12
    assert all(row["overdue"] is False for row in response.json()["results"])
    # The routing rows come joined to the list query: no query per row for routing.
    sqls = [q["sql"].replace('"', "") for q in ctx.captured_queries]
    own = [sql for sql in sqls if "FROM chat_conversationrouting" in sql]
    assert own == []
    joined = [sql for sql in sqls if "JOIN chat_conversationrouting" in sql]
    assert len(joined) == 1


def test_a_newcomer_at_the_tail_does_not_ring_those_ahead(
    django_capture_on_commit_callbacks: Any,
) -> None:
    import asyncio

    from asgiref.sync import sync_to_async

    make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        ahead = conversation_of(body="I need help")

    def newcomer() -> Conversation:
        with django_capture_on_commit_callbacks(execute=True):
            return conversation_of(body="I need help")

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], Conversation]:
        layer = get_channel_layer()
        inboxes = {}
        frames: dict[str, list[dict[str, Any]]] = {"ahead": [], "agents": []}
        for name, group in (
            ("ahead", events.group_visitor(ahead.visitor_id)),
            ("agents", events.group_agents()),
        ):
            inboxes[name] = (group, await layer.new_channel())
            await layer.group_add(group, inboxes[name][1])
        late = await sync_to_async(newcomer)()
        for name, (group, channel) in inboxes.items():
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=0.5)
                except TimeoutError:
                    break
                frames[name].append(events.event_frame(message))
            await layer.group_discard(group, channel)
        return frames["ahead"], frames["agents"], late

    to_ahead, to_agents, late = async_to_sync(scenario)()
    assert [f for f in to_ahead if f["type"] == "queue.position"] == []
    changed = [f for f in to_agents if f["type"] == "queue.changed"]
    assert changed and changed[-1]["waiting"] == 2
    assert positions([ahead, late]) == [1, 2]


class _RoutingRows:
    """Rows the database hands back for statements on the routing table (the queue): a
    broadcast's cost in what it reads, which a query count alone does not show."""

    def __init__(self) -> None:
        self.rows = 0
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT") and '"chat_conversationrouting"' in sql:
            self.queries += 1
            self.rows += max(context["cursor"].rowcount, 0)
        return result


def test_positions_cost_what_changed_not_the_queue(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queue of 200: a newcomer at its tail reads its own row and tells only itself; a
    shopper leaving from the middle tells only those behind it, in one pass, each its new
    place; one leaving from the head tells everyone. Before, every newcomer read the whole
    queue (200 rows for one frame), so a queue filled or drained one by one cost its square."""
    from django.db import connection

    make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = [conversation_of(body="I need help") for _ in range(200)]
    sent: list[list[tuple[list[str], dict[str, Any]]]] = []
    monkeypatch.setattr(
        events, "publish_each", lambda items: sent.append(list(items)), raising=False
    )

    def shopper_frames() -> dict[int, int]:
        frames = [f for _g, f in sent[-1] if f["type"] == "queue.position"]
        return {f["conversation"]: f["queue_position"] for f in frames}

    def agents_frame() -> dict[str, Any]:
        return next(f for _g, f in sent[-1] if f["type"] == "queue.changed")

    # A newcomer at the tail: its own row (and a count of those ahead), its own frame.
    rows = _RoutingRows()
    with connection.execute_wrapper(rows), django_capture_on_commit_callbacks(execute=True):
        late = conversation_of(body="I need help")
    print(f"newcomer: {rows.rows} routing rows in {rows.queries} reads")
    assert rows.rows <= 10, rows.rows  # the whole queue before: 204 rows for one frame
    assert len(sent) == 1
    assert shopper_frames() == {late.pk: 201}
    assert agents_frame()["waiting"] == 201

    # Resolved from the middle (place 151): those behind it move up one, nobody ahead hears.
    leaving = waiting[150]
    agent = make_agent(supervisor=True)
    rows = _RoutingRows()
    with connection.execute_wrapper(rows), django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_status_set(
            actor=Actor(user=agent), conversation_id=leaving.pk, status="resolved"
        )
    behind = [*waiting[151:], late]
    print(f"middle leaves: {rows.rows} routing rows in {rows.queries} reads")
    assert rows.rows <= len(behind) + 6, rows.rows
    # Each moved up one place; that far back, only those who reached a round place hear it.
    assert shopper_frames() == {c.pk: n for n, c in enumerate(behind, 151) if n % 10 == 0}
    assert agents_frame()["waiting"] == 200

    # Taken by hand from the head: everyone moves up, those far back told at round places.
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_assign(
            actor=Actor(user=agent), conversation_id=waiting[0].pk, assignee_id=agent.pk
        )
    rest = [c for c in [*waiting, late] if c.pk not in (waiting[0].pk, leaving.pk)]
    assert shopper_frames() == {
        c.pk: n for n, c in enumerate(rest, 1) if n % selectors.position_step(n) == 0
    }
    assert agents_frame()["waiting"] == 199
    # What the shopper's page reads agrees with what was sent.
    assert positions([rest[0], rest[149], rest[-1]]) == [1, 150, 199]


def test_a_queue_served_from_its_head_tells_the_front_each_move_and_the_back_at_round_places(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queue of 300 served from its head one at a time: the first 19 places hear every move,
    those further back only when they reach a round place (every 2nd from 20, every 10th from
    100, every 20th from 200), each frame exact. Before, every assignment told all 299 behind:
    draining a queue of Q cost Q²/2 frames (the issue's soak: ~1,800 frames a second, 93 % of
    all it published, at a queue of 1,800)."""
    team = make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = [conversation_of(body="I need help") for _ in range(300)]
    sent: list[list[tuple[list[str], dict[str, Any]]]] = []
    monkeypatch.setattr(
        events, "publish_each", lambda items: sent.append(list(items)), raising=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        team_agent(team, capacity=1)
    assert Conversation.objects.get(pk=waiting[0].pk).assignee_id is not None
    told = {
        f["conversation"]: f["queue_position"]
        for batch in sent
        for _g, f in batch
        if f["type"] == "queue.position"
    }
    rest = waiting[1:]
    expected = {c.pk: n for n, c in enumerate(rest, 1) if n % selectors.position_step(n) == 0}
    assert told == expected
    print(f"one served from the head of 300: {len(told)} frames")
    assert len(told) <= 60  # 299 before
    assert all(told[c.pk] == n for n, c in enumerate(rest[:19], 1))  # the front: every move


@pytest.mark.parametrize(
    ("position", "step"),
    [(1, 1), (19, 1), (20, 2), (49, 2), (50, 5), (99, 5), (100, 10), (250, 20), (999, 50),
     (1000, 100), (2000, 200), (12_345, 1000)],
)  # fmt: skip
def test_position_step(position: int, step: int) -> None:
    assert selectors.position_step(position) == step


def test_told_moving_up_when_a_round_place_is_reached_or_passed() -> None:
    assert selectors.told_moving_up(7, advanced=1)
    assert selectors.told_moving_up(110, advanced=1)
    assert not selectors.told_moving_up(109, advanced=1)
    assert selectors.told_moving_up(105, advanced=6)  # from 111: 110 reached on the way
    assert not selectors.told_moving_up(105, advanced=5)  # from 110: told there already
    assert selectors.told_moving_up(1234, advanced=0)  # not a move up: always told


def test_a_newcomer_queued_while_the_head_is_served_is_told_its_place(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The enqueue's own doorbell assigns the head (a slot freed without one) and the
    newcomer, at a place no round step reaches, still hears where it stands."""
    from chat.models import AgentProfile

    team = make_team(default=True)
    agent = team_agent(team, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = [conversation_of(body="I need help") for _ in range(44)]
    assert Conversation.objects.get(pk=waiting[0].pk).assignee_id == agent.pk
    AgentProfile.objects.filter(user=agent).update(capacity=2)  # a slot, no doorbell
    sent: list[list[tuple[list[str], dict[str, Any]]]] = []
    monkeypatch.setattr(
        events, "publish_each", lambda items: sent.append(list(items)), raising=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        late = conversation_of(body="I need help")
    assert Conversation.objects.get(pk=waiting[1].pk).assignee_id == agent.pk
    told = {
        f["conversation"]: f["queue_position"]
        for _g, f in sent[-1]
        if f["type"] == "queue.position"
    }
    # 42 ahead of it (44 queued, two assigned): place 43, told though no round place...
    assert told[late.pk] == 43
    assert positions([late]) == [43]
    # ... and of those who moved up, the front every one, further back the round places.
    assert told[waiting[2].pk] == 1
    assert told[waiting[20].pk] == 19
    assert told[waiting[21].pk] == 20
    assert waiting[22].pk not in told  # place 21: told at 20


def test_with_every_agent_full_a_newcomer_does_not_look_for_the_queues_head(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Every slot taken: queueing one more reads no head of the queue (a sort of the whole
    queue under FOR UPDATE SKIP LOCKED, 22 ms at the issue soak's 6,000 waiting, on every
    enqueue and every freed slot). The slot that frees later still serves the head."""
    from django.db import connection

    team = make_team(default=True)
    agent = team_agent(team, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        held, *waiting = [conversation_of(body="I need help") for _ in range(4)]
    assert Conversation.objects.get(pk=held.pk).assignee_id == agent.pk
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record), django_capture_on_commit_callbacks(execute=True):
        late = conversation_of(body="I need help")
    assert [s for s in statements if "SKIP LOCKED" in s] == []
    assert positions([*waiting, late]) == [1, 2, 3, 4]
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_status_set(
            actor=Actor(user=agent), conversation_id=held.pk, status="resolved"
        )
    assert Conversation.objects.get(pk=waiting[0].pk).assignee_id == agent.pk
    assert positions([*waiting[1:], late]) == [1, 2, 3]
