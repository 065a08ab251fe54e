"""The learning loop: unanswered questions and "No" clicks, with the agent reply that resolved
them, become proposals; picked suggestions become phrasings; the admin accepts with one click
and nothing goes live before."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.access import Actor
from chat.bot.feedback import bot_feedback_record
from chat.bot.learning import proposal_from_pick, proposals_from_resolved
from chat.models import (
    KnowledgeEntry,
    KnowledgeProposal,
    KnowledgeQuestion,
    Message,
    UnmatchedQuestion,
)
from chat.services.conversations import conversation_status_set
from tests.factories import agent_says, make_agent, make_visitor

pytestmark = pytest.mark.django_db

QUESTION = "can you engrave my initials on the leather wallet"
REPLY = "Yes! Add the initials in the “engraving” box at checkout: up to 3 letters for 5 €."
CHANGELIST = "/admin/chat/knowledgeproposal/"


def resolve(capture: Any, agent: Any, conversation_id: int) -> None:
    with capture(execute=True):
        conversation_status_set(
            actor=Actor(user=agent), conversation_id=conversation_id, status="resolved"
        )


@pytest.fixture
def unanswered(
    kb: None, visitor: Any, say: Any, django_capture_on_commit_callbacks: Any
) -> KnowledgeProposal:
    (prompt,) = say(visitor, QUESTION)
    assert prompt.card["type"] != "bot_answer"
    assert UnmatchedQuestion.objects.filter(conversation_id=prompt.conversation_id).exists()
    agent = make_agent()
    conversation = prompt.conversation
    agent_says(agent, conversation, "Hi, one moment")
    agent_says(agent, conversation, REPLY)
    agent_says(agent, conversation, "Bye!")
    resolve(django_capture_on_commit_callbacks, agent, conversation.pk)
    return KnowledgeProposal.objects.get()


def test_an_unanswered_question_and_the_resolving_reply_propose_an_entry(
    unanswered: KnowledgeProposal,
) -> None:
    p = unanswered
    assert (p.kind, p.source, p.status) == ("entry", "unanswered", "pending")
    assert p.question == QUESTION and p.answer == REPLY and p.language == "en"
    assert p.title == QUESTION
    # Nothing is live yet: no entry answers it, no phrasing has it.
    assert not KnowledgeEntry.objects.filter(answer=REPLY).exists()
    assert not KnowledgeQuestion.objects.filter(text=QUESTION).exists()
    # Resolving again (or a repeated event) proposes nothing new.
    assert proposals_from_resolved(conversation_id=p.conversation_id) == []
    assert KnowledgeProposal.objects.count() == 1


def test_one_click_in_the_admin_makes_it_live(
    unanswered: KnowledgeProposal, admin_client: Client, say: Any
) -> None:
    page = admin_client.get(CHANGELIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert QUESTION in html and f'data-accept="{unanswered.pk}"' in html
    response = admin_client.post(f"{CHANGELIST}{unanswered.pk}/accept/")
    assert response.status_code == 302
    p = KnowledgeProposal.objects.get()
    assert p.status == "accepted" and p.decided_by is not None and p.result_entry is not None
    entry = p.result_entry
    assert (entry.answer, entry.language, entry.active) == (REPLY, "en", True)
    # The shopper's words are the new entry's title, which counts as a phrasing.
    assert entry.title == QUESTION and not entry.questions.exists()
    # The bot answers the next shopper who asks it.
    (answer,) = say(make_visitor(), QUESTION)
    assert answer.card["type"] == "bot_answer" and answer.card["entry"] == entry.pk
    # A decided proposal cannot be accepted twice; its page is read-only.
    again = admin_client.post(f"{CHANGELIST}{p.pk}/accept/", follow=True)
    assert "already decided" in again.content.decode()
    assert KnowledgeEntry.objects.filter(answer=REPLY).count() == 1
    form = admin_client.get(f"{CHANGELIST}{p.pk}/change/").content.decode()
    assert 'name="_accept"' not in form and 'name="answer"' not in form


def test_edit_then_accept_from_the_form_and_reject(
    unanswered: KnowledgeProposal, admin_client: Client
) -> None:
    url = f"{CHANGELIST}{unanswered.pk}/change/"
    form = admin_client.get(url).content.decode()
    assert 'name="_accept"' in form and 'name="_reject"' in form
    data = {
        "kind": "entry",
        "language": "en",
        "question": QUESTION,
        "entry": "",
        "title": "Engraving",
        "answer": REPLY,
        "_accept": "1",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = KnowledgeProposal.objects.get().result_entry
    assert entry is not None and entry.title == "Engraving" and entry.key == "engraving"
    # Reject: nothing changes in the knowledge base.
    other = KnowledgeProposal.objects.create(
        kind="phrasing",
        source="picked",
        language="en",
        question="wrap as present?",
        entry=entry,
        question_message_id=10**12,
    )
    before = KnowledgeQuestion.objects.count()
    admin_client.post(
        f"{CHANGELIST}{other.pk}/change/",
        {
            **{k: v for k, v in data.items() if k != "_accept"},
            "kind": "phrasing",
            "entry": entry.pk,
            "question": "wrap as present?",
            "_reject": "1",
        },
    )
    assert KnowledgeProposal.objects.get(pk=other.pk).status == "rejected"
    assert KnowledgeQuestion.objects.count() == before


def test_an_incomplete_proposal_is_refused_with_a_message(
    unanswered: KnowledgeProposal, admin_client: Client
) -> None:
    KnowledgeProposal.objects.filter(pk=unanswered.pk).update(answer="  ")
    page = admin_client.post(f"{CHANGELIST}{unanswered.pk}/accept/", follow=True)
    assert "needs an answer" in page.content.decode()
    assert KnowledgeProposal.objects.get().status == "pending"
    assert not KnowledgeQuestion.objects.filter(text=QUESTION).exists()


def test_agents_without_admin_rights_cannot_accept(
    unanswered: KnowledgeProposal, client: Client
) -> None:
    agent = make_agent()
    client.force_login(agent)
    response = client.post(f"{CHANGELIST}{unanswered.pk}/accept/")
    assert response.status_code in (302, 403)
    assert KnowledgeProposal.objects.get().status == "pending"
    assert client.get(f"{CHANGELIST}{unanswered.pk}/accept/").status_code in (302, 403, 405)


def test_a_no_click_and_the_agent_reply_propose_an_entry(
    kb: None, visitor: Any, say: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (answer,) = say(visitor, "what is your return policy")
    assert answer.card["type"] == "bot_answer"
    with django_capture_on_commit_callbacks(execute=True):
        bot_feedback_record(actor=Actor(visitor=visitor), message_id=answer.pk, choice="no")
    agent = make_agent()
    agent_says(agent, answer.conversation, "For sale items the return window is 14 days, not 30.")
    resolve(django_capture_on_commit_callbacks, agent, answer.conversation_id)
    p = KnowledgeProposal.objects.get(source="not_helpful")
    assert p.kind == "entry" and p.question == "what is your return policy"
    assert p.entry_id == answer.card["entry"]  # the entry the bot wrongly gave
    assert p.answer.startswith("For sale items")


def test_an_agent_who_sends_an_entrys_answer_proposes_a_phrasing(
    kb: None, visitor: Any, say: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = KnowledgeEntry.objects.get(key="invoice", language="en")
    say(visitor, "the finance team keeps asking me for something from your shop")
    agent = make_agent()
    conversation = Message.objects.filter(sender_kind="visitor").get().conversation
    agent_says(agent, conversation, entry.answer)
    resolve(django_capture_on_commit_callbacks, agent, conversation.pk)
    p = KnowledgeProposal.objects.get()
    assert (p.kind, p.entry_id, p.question) == (
        "phrasing",
        entry.pk,
        "the finance team keeps asking me for something from your shop",
    )


def test_a_picked_suggestion_proposes_a_phrasing(kb: None) -> None:
    entry = KnowledgeEntry.objects.get(key="returns", language="en")
    p = proposal_from_pick(
        entry=entry, question="can i send it back", question_message_id=7, conversation_id=None
    )
    assert p is not None and (p.kind, p.source, p.entry_id) == ("phrasing", "picked", entry.pk)
    # Twice, or words the entry already has: nothing new.
    assert (
        proposal_from_pick(
            entry=entry, question="can i send it back", question_message_id=7, conversation_id=None
        )
        is None
    )
    known = entry.questions.first()
    assert known is not None
    assert (
        proposal_from_pick(
            entry=entry, question=known.text, question_message_id=8, conversation_id=None
        )
        is None
    )


def test_a_picked_answer_event_proposes_the_shoppers_words(
    kb: None, visitor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """``bot.answered`` with ``picked`` (what the "did you mean" button's answer dispatches)
    proposes the question as a phrasing; an ordinary answer proposes nothing."""
    from django.utils import timezone

    from helpdesk import dispatch
    from tests.factories import shopper_says

    entry = KnowledgeEntry.objects.get(key="returns", language="en")
    question = shopper_says(visitor, "can i send the shoes back if they pinch")
    for picked in (False, True):
        dispatch.dispatch(
            dispatch.DomainEvent(
                name=dispatch.Event.BOT_ANSWERED,
                at=timezone.now(),
                conversation_id=question.conversation_id,
                data={
                    "entry_id": entry.pk,
                    "confidence": 0.5,
                    "language": "en",
                    "message_id": question.pk,
                    "question_message_id": question.pk,
                    "picked": picked,
                },
            )
        )
        assert KnowledgeProposal.objects.count() == int(picked)
    p = KnowledgeProposal.objects.get()
    assert (p.kind, p.source, p.entry_id, p.question) == (
        "phrasing",
        "picked",
        entry.pk,
        "can i send the shoes back if they pinch",
    )
    assert not KnowledgeQuestion.objects.filter(text=p.question).exists()  # not live yet
