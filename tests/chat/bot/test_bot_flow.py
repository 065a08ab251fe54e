"""The bot in a conversation: answers after commit, hand-over triggers, silence once a human
is engaged, care cycles."""

from __future__ import annotations

from typing import Any

import pytest

from chat.access import Actor
from chat.events import conversation_payload
from chat.models import BotState, Conversation, Message, MessageSentiment, UnmatchedQuestion
from chat.services import conversation_assign, conversation_status_set
from helpdesk import dispatch
from orders.models import Customer
from tests.factories import agent_says, make_agent, make_visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded() -> Any:
    seen: list[dispatch.DomainEvent] = []

    def listen(event: dispatch.DomainEvent) -> None:
        seen.append(event)

    for name in (
        dispatch.Event.BOT_ANSWERED,
        dispatch.Event.BOT_HANDOVER,
        dispatch.Event.BOT_FEEDBACK,
    ):
        dispatch.subscribe(name, listen)
    yield seen
    for name in (
        dispatch.Event.BOT_ANSWERED,
        dispatch.Event.BOT_HANDOVER,
        dispatch.Event.BOT_FEEDBACK,
    ):
        dispatch.unsubscribe(name, listen)


def test_faq_answer_with_buttons_after_commit(
    kb: None, visitor: Any, say: Any, recorded: Any
) -> None:
    (answer,) = say(visitor, "how lnog does shiping take")
    assert answer.sender_kind == Message.SenderKind.BOT
    assert "ship within 24 hours" in answer.body
    assert answer.card["type"] == "bot_answer"
    assert [a["id"] for a in answer.card["actions"]] == ["yes", "no", "human"]
    assert answer.card["prompt"] == "Did this help?"
    (event,) = [e for e in recorded if e.name == dispatch.Event.BOT_ANSWERED]
    assert event.data["entry_id"] == answer.card["entry"]
    assert 0.4 <= event.data["confidence"] <= 1
    # The conversation is not queued for a person while the bot answers.
    conversation = Conversation.objects.get(pk=answer.conversation_id)
    assert conversation.assignee_id is None
    assert conversation_payload(conversation, staff=True)["bot"]["handed_over"] is False


def test_chinese_answer_in_chinese(kb: None, visitor: Any, say: Any) -> None:
    (answer,) = say(visitor, "你们包不包邮")
    assert "包邮" in answer.body
    assert answer.card["prompt"] == "这有帮助吗？"
    assert [a["label"] for a in answer.card["actions"]] == ["是", "否", "转人工"]


def test_no_answer_before_commit(
    kb: None, visitor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import shopper_says

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = shopper_says(visitor, "what is your return policy")
        assert Message.objects.filter(conversation_id=message.conversation_id).count() == 1
    assert callbacks  # the bot waits for the commit


@pytest.mark.parametrize(
    "text",
    ["human please", "I want to talk to a person", "转人工", "人工客服", "can I speak to an agent"],
)
def test_handover_when_asked(kb: None, visitor: Any, say: Any, recorded: Any, text: str) -> None:
    added = say(visitor, text)
    bot = [m for m in added if m.sender_kind == Message.SenderKind.BOT]
    notes = [m for m in added if m.private]
    assert len(bot) == 1 and bot[0].card["type"] == "bot_handover"
    assert "no need to repeat" in bot[0].body or "不用重复" in bot[0].body
    assert len(notes) == 1 and "asked for a person" in notes[0].body
    state = BotState.objects.get(conversation_id=bot[0].conversation_id)
    assert state.handover_reason == BotState.Reason.REQUESTED
    (event,) = [e for e in recorded if e.name == dispatch.Event.BOT_HANDOVER]
    assert event.data["reason"] == "requested"
    conversation = Conversation.objects.get(pk=bot[0].conversation_id)
    payload = conversation_payload(conversation, staff=True)
    assert payload["bot"]["handed_over"] and payload["bot"]["handover_reason"] == "requested"
    assert "bot" not in conversation_payload(conversation, staff=False)
    # Handed to routing: queued for a person.
    assert conversation.routing.queued_at is not None
    # The bot stays silent for the rest of the care cycle.
    assert say(visitor, "what is your return policy") == []


def test_handover_after_two_misses(kb: None, visitor: Any, say: Any) -> None:
    (first,) = say(visitor, "what's the weather like today")
    assert first.card == {
        "type": "bot_prompt",
        "actions": [{"id": "human", "label": "Talk to a person"}],
    }
    added = say(visitor, "do you sell laptops")
    assert [m.card["type"] for m in added] == ["bot_handover", "bot_handover_note"]
    state = BotState.objects.get(conversation_id=first.conversation_id)
    assert state.handover_reason == BotState.Reason.LOW_CONFIDENCE
    assert set(UnmatchedQuestion.objects.values_list("text", flat=True)) == {
        "what's the weather like today",
        "do you sell laptops",
    }


def test_a_good_answer_resets_the_miss_streak(kb: None, visitor: Any, say: Any) -> None:
    say(visitor, "tell me a joke")
    (answer,) = say(visitor, "what is your return policy")
    assert answer.card["type"] == "bot_answer"
    (prompt,) = say(visitor, "who is the CEO of your company")
    assert prompt.card["type"] == "bot_prompt"


def test_handover_on_negative_sentiment(kb: None, visitor: Any, say: Any) -> None:
    added = say(visitor, "This is ridiculous, worst service ever, I am furious!!")
    assert added[0].card["type"] == "bot_handover"
    state = BotState.objects.get(conversation_id=added[0].conversation_id)
    assert state.handover_reason == BotState.Reason.NEGATIVE
    assert state.last_sentiment is not None and state.last_sentiment <= -0.6
    score = MessageSentiment.objects.get(conversation_id=added[0].conversation_id).score
    assert score == state.last_sentiment


def test_two_mildly_negative_messages_hand_over(kb: None, visitor: Any, say: Any) -> None:
    (answer,) = say(visitor, "the delivery is a bit slow, how long does shipping take")
    assert answer.card["type"] == "bot_answer"
    added = say(visitor, "退款有点慢，要多久")
    assert added[0].card["type"] == "bot_handover"
    assert BotState.objects.get().handover_reason == BotState.Reason.NEGATIVE


def test_vip_goes_to_a_person_at_once(kb: None, say: Any) -> None:
    customer = Customer.objects.create(external_id="vip-1", name="Vera", vip_tier="gold")
    visitor = make_visitor(customer=customer)
    added = say(visitor, "what is your return policy")
    assert added[0].card == {"type": "bot_handover", "reason": "vip"}
    assert BotState.objects.get().handover_reason == BotState.Reason.VIP


def test_bot_silent_once_an_agent_replied(kb: None, visitor: Any, say: Any) -> None:
    (answer,) = say(visitor, "what is your return policy")
    conversation = Conversation.objects.get(pk=answer.conversation_id)
    agent = make_agent()
    agent_says(agent, conversation, "Hi, Ana here")
    # Replying took the conversation; unassign to prove the reply alone silences the bot.
    conversation_assign(actor=Actor(user=agent), conversation_id=conversation.pk, assignee_id=None)
    added = say(visitor, "how long does shipping take")
    assert not [m for m in added if m.sender_kind == Message.SenderKind.BOT]
    assert not Message.objects.filter(
        conversation=conversation, sender_kind=Message.SenderKind.BOT, seq__gt=answer.seq
    ).exists()


def test_bot_silent_while_assigned(kb: None, visitor: Any, say: Any) -> None:
    (answer,) = say(visitor, "what is your return policy")
    agent = make_agent()
    conversation_assign(
        actor=Actor(user=agent), conversation_id=answer.conversation_id, assignee_id=agent.pk
    )
    added = say(visitor, "how long does shipping take")
    assert not [m for m in added if m.sender_kind == Message.SenderKind.BOT]
    # Sentiment is still scored for the agent.
    assert MessageSentiment.objects.filter(conversation_id=answer.conversation_id).count() == 2


def test_private_note_never_triggers_the_bot(kb: None, visitor: Any, say: Any) -> None:
    (answer,) = say(visitor, "what is your return policy")
    conversation = Conversation.objects.get(pk=answer.conversation_id)
    agent = make_agent()
    agent_says(agent, conversation, "what is your return policy", private=True)
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_new_care_cycle_wakes_the_bot(kb: None, visitor: Any, say: Any) -> None:
    added = say(visitor, "human")
    conversation = Conversation.objects.get(pk=added[0].conversation_id)
    agent = make_agent()
    conversation_assign(
        actor=Actor(user=agent), conversation_id=conversation.pk, assignee_id=agent.pk
    )
    conversation_status_set(
        actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
    )
    conversation_assign(actor=Actor(user=agent), conversation_id=conversation.pk, assignee_id=None)
    (answer,) = [m for m in say(visitor, "what is your return policy") if m.sender_kind == "bot"]
    assert answer.card["type"] == "bot_answer"
    assert BotState.objects.get(conversation=conversation).handed_over_at is None


def test_agent_reply_between_commit_and_bot_wins(
    kb: None, visitor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The bot re-checks under the row lock: an agent who answered first keeps the floor."""
    from tests.factories import shopper_says

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = shopper_says(visitor, "what is your return policy")
    agent_says(make_agent(), message.conversation, "Hi! Let me help you with that.")
    for callback in callbacks:
        callback()
    assert not Message.objects.filter(
        conversation_id=message.conversation_id, sender_kind=Message.SenderKind.BOT
    ).exists()


def test_retried_task_answers_once(kb: None, visitor: Any, say: Any) -> None:
    from chat.bot.services import bot_reply

    (answer,) = say(visitor, "what is your return policy")
    question = Message.objects.get(conversation_id=answer.conversation_id, seq=1)
    assert bot_reply(message_id=question.pk) is None
    assert Message.objects.filter(conversation_id=answer.conversation_id).count() == 2


def test_bot_error_hands_over(kb: None, visitor: Any, say: Any, monkeypatch: Any) -> None:
    from chat.bot import services

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(services, "decide", broken)
    assert say(visitor, "what is your return policy") == []
    state = BotState.objects.get()
    assert state.handover_reason == BotState.Reason.ERROR
    assert state.conversation.routing.queued_at is not None


def test_disabled_bot_stays_silent_and_routing_queues(
    kb: None, visitor: Any, say: Any, settings: Any
) -> None:
    settings.HELPDESK_BOT = {"ENABLED": False}
    message_count = len(say(visitor, "what is your return policy"))
    assert message_count == 0
    conversation = Conversation.objects.get(visitor=visitor)
    assert conversation.routing.queued_at is not None


def test_a_file_goes_to_a_person(
    kb: None, visitor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from chat.services import message_send

    with django_capture_on_commit_callbacks(execute=True):
        message, _ = message_send(
            actor=Actor(visitor=visitor), client_id="img-1", body="", kind=Message.Kind.IMAGE
        )
    state = BotState.objects.get(conversation_id=message.conversation_id)
    assert state.handover_reason == BotState.Reason.ATTACHMENT
    assert not MessageSentiment.objects.exists()


def test_handover_text_says_when_the_team_is_back_or_that_nobody_is_free(
    kb: None, say: Any
) -> None:
    """Off-hours the hand-over names the next opening (from the business hours), not "the next
    available colleague will answer right here"; in hours with nobody online it says so."""
    import datetime as dt

    from django.utils import timezone

    from chat.models import Holiday, Schedule, ScheduleInterval
    from tests.factories import make_visitor

    nobody = say(make_visitor(), "I want to talk to a person")[0]
    assert "busy or offline" in nobody.body and "right here" not in nobody.body

    schedule = Schedule.objects.create(team=None, timezone="Europe/Berlin")
    today = timezone.now().astimezone(dt.UTC).date()
    Holiday.objects.create(schedule=schedule, date=today)
    Holiday.objects.create(schedule=schedule, date=today - dt.timedelta(days=1))
    tomorrow = today + dt.timedelta(days=1)
    ScheduleInterval.objects.create(
        schedule=schedule, weekday=tomorrow.weekday(), opens=dt.time(9), closes=dt.time(18)
    )
    closed = say(make_visitor(), "I want to talk to a person")[0]
    assert "away right now and back" in closed.body
    assert "09:00 (CET)" in closed.body or "09:00 (CEST)" in closed.body
    assert "right here" not in closed.body
