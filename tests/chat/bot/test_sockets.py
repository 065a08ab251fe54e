"""The bot over the real WebSocket router and Redis channel layer: the shopper's socket gets the
bot's answer to the very first message (before it has joined the new conversation's group),
and agents' lists hear when a shopper's mood turns."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from chat import services
from chat.access import Actor
from chat.bot.knowledge_import import demo_items, knowledge_base_load
from tests.factories import make_agent, make_visitor
from tests.sockets import agent_socket, receive_type, visitor_socket

KB = demo_items()

pytestmark = [pytest.mark.django_db(transaction=True)]


def _setup() -> tuple[Any, str, Any]:
    knowledge_base_load(items=KB)
    visitor = make_visitor()
    return visitor, services.visitor_token_make(visitor), make_agent()


async def test_first_message_gets_the_bot_answer_on_the_socket() -> None:
    _visitor, token, _agent = await sync_to_async(_setup)()
    shopper = await visitor_socket(token)
    try:
        await shopper.send_json_to(
            {"type": "message.send", "client_id": "c1", "body": "what is your return policy"}
        )
        ack = await receive_type(shopper, "message.ack")
        assert ack["message"]["seq"] == 1
        seen = {}
        for _ in range(6):
            frame = await receive_type(shopper, "message.created")
            seen[frame["message"]["seq"]] = frame["message"]
            if 2 in seen:
                break
        answer = seen[2]
        assert answer["sender"]["kind"] == "bot"
        assert "30 days" in answer["body"]
        assert answer["card"]["type"] == "bot_answer"
    finally:
        await shopper.disconnect()


async def test_agents_hear_when_the_mood_turns() -> None:
    visitor, token, agent = await sync_to_async(_setup)()
    desk = await agent_socket(agent)
    try:
        message, _ = await sync_to_async(services.message_send)(
            actor=Actor(visitor=visitor), client_id="c1", body="what is your return policy"
        )
        await sync_to_async(services.conversation_assign)(
            actor=Actor(user=agent), conversation_id=message.conversation_id, assignee_id=agent.pk
        )
        await sync_to_async(services.message_send)(
            actor=Actor(visitor=visitor), client_id="c2", body="this is useless, I am very angry"
        )
        for _ in range(20):
            frame = await receive_type(desk, "conversation.updated")
            bot = frame["conversation"].get("bot") or {}
            if (bot.get("sentiment") or 0) < -0.3:
                break
        else:
            raise AssertionError("no update with the negative sentiment")
        assert bot["handed_over"] is False  # assigned to a person: the bot stayed out of it
    finally:
        await desk.disconnect()
