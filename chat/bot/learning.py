"""The learning loop: the desk's traffic proposes changes to the knowledge base, a person
accepts or rejects them in the admin, and nothing goes live unreviewed (docs/bot.md).

Proposals come from:

- a question the bot could not answer (``UnmatchedQuestion``), or an answer the shopper
  marked "did this help → No" (``BotFeedback``), and the agent reply that resolved it: when
  the conversation is resolved, the longest public agent reply after the question becomes the
  answer of a proposed **new entry** — or, if that reply is an entry's answer word for word (the
  agent sent the knowledge base's text), a **new phrasing** of that entry;
- a "did you mean" suggestion the shopper picked (``proposal_from_pick``): the shopper's words
  as a **new phrasing** of the picked entry.

``proposal_accept`` makes it live in one step (the knowledge base's own save signals re-index
and re-embed); ``proposal_reject`` closes it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from chat.models import (
    BotFeedback,
    Conversation,
    KnowledgeEntry,
    KnowledgeProposal,
    KnowledgeQuestion,
    Message,
    UnmatchedQuestion,
)
from chat.models.bot import entry_key_for
from helpdesk.errors import BadRequest

from .matching import detect_language

# Shorter agent replies ("ok", "one moment") do not make an answer.
MIN_ANSWER_CHARS = 8


def _same(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).lower().split())

    return norm(a) == norm(b)


def _create(**fields: Any) -> KnowledgeProposal | None:
    """One proposal per (source, question message): a repeated event adds nothing."""
    try:
        with transaction.atomic():
            return KnowledgeProposal.objects.create(**fields)
    except IntegrityError:
        return None


def _known_phrasing(entry: KnowledgeEntry, text: str) -> bool:
    if _same(entry.title, text):
        return True
    return any(_same(q, text) for q in entry.questions.values_list("text", flat=True))


def _resolving_reply(conversation_id: int, after_seq: int) -> Message | None:
    """The longest public agent reply after the question: the one most likely to answer it
    (greetings and "one moment" are short)."""
    replies = Message.objects.filter(
        conversation_id=conversation_id,
        seq__gt=after_seq,
        sender_kind=Message.SenderKind.AGENT,
        private=False,
        kind=Message.Kind.TEXT,
    ).only("pk", "body", "seq")
    best = max(replies, key=lambda m: len(m.body.strip()), default=None)
    if best is None or len(best.body.strip()) < MIN_ANSWER_CHARS:
        return None
    return best


def _questions_to_learn(conversation_id: int) -> list[tuple[str, Message, int | None]]:
    """(source, the shopper's question message, the entry the bot wrongly gave or None) for
    every unanswered question and every "No" click in the conversation."""
    out: list[tuple[str, Message, int | None]] = []
    unmatched = UnmatchedQuestion.objects.filter(conversation_id=conversation_id).values_list(
        "message_id", flat=True
    )
    messages = Message.objects.in_bulk(list(unmatched))
    for message in messages.values():
        out.append((KnowledgeProposal.Source.UNANSWERED, message, None))
    for feedback in BotFeedback.objects.filter(
        conversation_id=conversation_id, choice=BotFeedback.Choice.NO
    ).select_related("message"):
        question = (
            Message.objects.filter(
                conversation_id=conversation_id,
                seq__lt=feedback.message.seq,
                sender_kind=Message.SenderKind.VISITOR,
                private=False,
                kind=Message.Kind.TEXT,
            )
            .order_by("-seq")
            .first()
        )
        if question is not None:
            out.append((KnowledgeProposal.Source.NOT_HELPFUL, question, feedback.entry_id))
    return out


def proposals_from_resolved(*, conversation_id: int) -> list[KnowledgeProposal]:
    """A resolved conversation: each question the bot could not answer (or whose answer did
    not help) and the agent reply that resolved it become a proposal. Runs inside the
    resolver's transaction; idempotent."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return []
    done = set(
        KnowledgeProposal.objects.filter(conversation_id=conversation_id).values_list(
            "source", "question_message_id"
        )
    )
    made: list[KnowledgeProposal] = []
    for source, question, wrong_entry in _questions_to_learn(conversation_id):
        if (source, question.pk) in done or not question.body.strip():
            continue
        reply = _resolving_reply(conversation_id, question.seq)
        if reply is None:
            continue
        language = detect_language(question.body)
        answer = reply.body.strip()
        same_answer = (
            KnowledgeEntry.objects.filter(language=language, active=True)
            .filter(Q(answer__iexact=answer) | Q(answer=reply.body))
            .first()
        )
        if same_answer is not None:
            if _known_phrasing(same_answer, question.body):
                continue
            fields: dict[str, Any] = {
                "kind": KnowledgeProposal.Kind.PHRASING,
                "entry": same_answer,
                "title": same_answer.title,
                "answer": same_answer.answer,
            }
        else:
            fields = {
                "kind": KnowledgeProposal.Kind.ENTRY,
                "entry_id": wrong_entry,
                "title": " ".join(question.body.split())[:200],
                "answer": answer,
            }
        proposal = _create(
            source=source,
            language=language,
            question=question.body[:2000],
            conversation_id=conversation_id,
            question_message_id=question.pk,
            reply_message_id=reply.pk,
            **fields,
        )
        if proposal is not None:
            made.append(proposal)
    return made


def proposal_from_pick(
    *,
    entry: KnowledgeEntry | None,
    question: str,
    question_message_id: int | None,
    conversation_id: int | None,
) -> KnowledgeProposal | None:
    """The shopper picked ``entry`` from "did you mean": their words are proposed as a new
    phrasing of it (unless the entry already has them)."""
    if entry is None or question_message_id is None or not question.strip():
        return None
    if _known_phrasing(entry, question):
        return None
    return _create(
        kind=KnowledgeProposal.Kind.PHRASING,
        source=KnowledgeProposal.Source.PICKED,
        language=entry.language,
        question=question[:2000],
        entry=entry,
        title=entry.title,
        answer=entry.answer,
        conversation_id=conversation_id,
        question_message_id=question_message_id,
    )


def check_proposal(proposal: KnowledgeProposal) -> None:
    """What accepting needs: a pending proposal with a question, and for a phrasing its entry,
    for a new entry a title and an answer."""
    if proposal.status != KnowledgeProposal.Status.PENDING:
        raise BadRequest("This proposal was already decided.", fields={"status": ["Decided."]})
    fields: dict[str, list[str]] = {}
    if not proposal.question.strip():
        fields["question"] = ["Needs the shopper's question."]
    if proposal.kind == KnowledgeProposal.Kind.PHRASING and proposal.entry_id is None:
        fields["entry"] = ["Choose the entry this phrasing belongs to."]
    if proposal.kind == KnowledgeProposal.Kind.ENTRY:
        if not proposal.title.strip():
            fields["title"] = ["A new entry needs a title."]
        if not proposal.answer.strip():
            fields["answer"] = ["A new entry needs an answer."]
    if fields:
        raise BadRequest("The proposal is not complete.", fields=fields)


def proposal_accept(*, proposal_id: int, user: Any) -> KnowledgeProposal:
    """Make the proposal live: add the phrasing to its entry, or create the entry (active,
    with the shopper's question as its first phrasing). The knowledge base's save signals
    re-index and compute the new vectors (Celery)."""
    with transaction.atomic():
        proposal = KnowledgeProposal.objects.select_for_update().get(pk=proposal_id)
        check_proposal(proposal)
        question = proposal.question.strip()[:500]
        if proposal.kind == KnowledgeProposal.Kind.PHRASING and proposal.entry is not None:
            entry = proposal.entry
        else:
            entry = KnowledgeEntry.objects.create(
                key=_free_key(proposal.title, proposal.language),
                title=proposal.title.strip()[:200],
                answer=proposal.answer.strip(),
                language=proposal.language,
                active=True,
            )
        if not _known_phrasing(entry, question):
            KnowledgeQuestion.objects.create(entry=entry, text=question)
        proposal.status = KnowledgeProposal.Status.ACCEPTED
        proposal.decided_at = timezone.now()
        proposal.decided_by = user
        proposal.result_entry = entry
        proposal.save(update_fields=["status", "decided_at", "decided_by", "result_entry"])
    return proposal


def proposal_reject(*, proposal_id: int, user: Any) -> KnowledgeProposal:
    with transaction.atomic():
        proposal = KnowledgeProposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status != KnowledgeProposal.Status.PENDING:
            raise BadRequest("This proposal was already decided.", fields={"status": ["Decided."]})
        proposal.status = KnowledgeProposal.Status.REJECTED
        proposal.decided_at = timezone.now()
        proposal.decided_by = user
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
    return proposal


def _free_key(title: str, language: str) -> str:
    base = entry_key_for(title)[:56]
    key, n = base, 1
    while KnowledgeEntry.objects.filter(key=key, language=language).exists():
        n += 1
        key = f"{base}-{n}"
    return key
