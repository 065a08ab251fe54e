"""Running the rules of a trigger on a conversation (from the Celery task), and the context
that keeps a rule's own actions from triggering it again."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction

from ..models import AutomationRule, AutomationRun, Conversation, Message
from ..statements import CONVERSATION_RELATED
from .rules import action_do, condition_holds

logger = logging.getLogger(__name__)

# The rules whose actions are running on this thread (the chain that led here): a change they
# make does not trigger them again. Read by the listeners when the change is dispatched.
_running: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar(
    "automation_running", default=()
)
# The change that started the chain ("x<transaction id>", "m<message id>", …): what rules do
# because of it counts as the same change, so each rule runs at most once per trigger for it.
_change: contextvars.ContextVar[str] = contextvars.ContextVar("automation_change", default="")
# A chain of rules triggering each other stops after this many links.
MAX_CHAIN = 5


def running_rules() -> tuple[int, ...]:
    """The rules whose actions are being done on this thread, outermost first."""
    return _running.get()


def running_change() -> str:
    """The change whose rules are running on this thread ("" outside automation)."""
    return _change.get()


@contextmanager
def _running_as(chain: tuple[int, ...], change: str) -> Iterator[None]:
    token, change_token = _running.set(chain), _change.set(change)
    try:
        yield
    finally:
        _running.reset(token)
        _change.reset(change_token)


def automation_run(
    *,
    trigger: str,
    conversation_id: int,
    trigger_key: str,
    message_id: int | None = None,
    chain: tuple[int, ...] | list[int] = (),
) -> list[AutomationRun]:
    """Run every active rule of ``trigger`` on the conversation, in order, except the rules
    in ``chain`` (those whose actions caused this trigger). Each rule whose conditions hold
    runs in its own transaction and is recorded once per ``trigger_key``
    (``"<trigger>:<change>"``); an action that fails undoes that rule's actions and records
    the error."""
    chain = tuple(chain)
    if len(chain) >= MAX_CHAIN:
        return []
    rules = AutomationRule.objects.filter(active=True, event=trigger).exclude(pk__in=chain)
    runs = []
    for rule in rules:
        run = rule_run(
            rule=rule,
            trigger=trigger,
            conversation_id=conversation_id,
            message_id=message_id,
            trigger_key=trigger_key,
            chain=chain,
        )
        if run is not None:
            runs.append(run)
    return runs


def rule_run(
    *,
    rule: AutomationRule,
    trigger: str,
    conversation_id: int,
    message_id: int | None,
    trigger_key: str,
    chain: tuple[int, ...],
    still: Callable[[Conversation], bool] | None = None,
) -> AutomationRun | None:
    """Run one rule on the locked conversation if its conditions hold (and ``still``, the
    caller's check that the trigger still stands, e.g. the conversation is still idle): the
    run, or None when it did not run or already ran for ``trigger_key``."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related(*CONVERSATION_RELATED)
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None or (still is not None and not still(conversation)):
            return None
        message = Message.objects.filter(pk=message_id).first() if message_id else None
        try:
            holds = all(condition_holds(c, conversation, message) for c in rule.conditions)
        except Exception:
            logger.exception("automation rule %s: a condition failed", rule.pk)
            holds = False
        if not holds:
            return None
        try:
            with transaction.atomic():
                run = AutomationRun.objects.create(
                    rule=rule,
                    conversation=conversation,
                    event=trigger,
                    trigger_key=trigger_key[:100],
                    outcome=AutomationRun.Outcome.DONE,
                )
        except IntegrityError:
            return None  # this change already ran the rule (another task of the same commit)
        done: list[str] = []
        try:
            change = trigger_key.partition(":")[2]
            with _running_as((*chain, rule.pk), change), transaction.atomic():
                for n, action in enumerate(rule.actions):
                    action_do(action, conversation, client_id=f"auto-{run.pk}-{n}")
                    done.append(str(action.get("type")))
        except Exception as error:
            logger.exception(
                "automation rule %s failed on conversation %s", rule.pk, conversation_id
            )
            run.outcome = AutomationRun.Outcome.FAILED
            run.error = f"{type(error).__name__}: {error}"[:500]
            done = []
        run.actions_done = done
        run.save(update_fields=["outcome", "error", "actions_done"])
        return run


def rule_payload(rule: AutomationRule) -> dict[str, Any]:
    return {"id": rule.pk, "name": rule.name, "event": rule.event, "active": rule.active}
