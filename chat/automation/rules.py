"""The rules' vocabulary: every condition and action type, the check the admin runs on save,
and how each condition is judged and each action done on a conversation.

Conditions (all must hold):

- ``{"type": "channel", "in": ["web", "email", …]}``: the conversation's channel kind;
- ``{"type": "message_contains", "any": ["refund", "退款"]}``: the shopper's message (for
  ``conversation_created``: the first one) contains one of the words, any case;
- ``{"type": "label", "has": <name>}`` or ``{"type": "label", "lacks": <name>}``;
- ``{"type": "status", "in": ["open", …]}``; ``{"type": "priority", "in": ["urgent", …]}``;
- ``{"type": "attribute", "key": "<conversation|contact>.<key>", "equals"?: value}``: the
  custom attribute equals the value (as the attribute's type reads it), or is set at all;
- ``{"type": "business_hours", "open": true|false}``: the conversation's team is (not) within
  business hours now;
- ``{"type": "team", "in": [<team name>, …]}``: the conversation's team is listed;
- ``{"type": "vip", "is": true|false}``: the shopper is (not) a customer with a VIP tier;
- ``{"type": "customer", "field": "vip_tier"|"language"|"tags", "any": [value, …]}``: the
  known customer's field is one of the values (``tags``: has one of them), any case.

Actions (in order): ``{"type": "assign_team", "team": <name>}``, ``{"type": "assign_agent",
"agent": <username>}``, ``{"type": "label", "label": <name>}``, ``{"type": "priority",
"priority": <name>}``, ``{"type": "send_message", "text": …}`` (public, to the shopper),
``{"type": "note", "text": …}`` (private), ``{"type": "resolve"}``, ``{"type": "mute"}``
(resolves; for ``MUTE_HOURS`` the shopper's messages are kept without reopening it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import dispatch

from .. import events
from ..access import Actor, is_agent
from ..attributes.values import value_clean
from ..events import sender_name
from ..models import AttributeDefinition, AutomationRule, Conversation, Label, Message, Team
from ..priority.services import NAMES as PRIORITIES
from ..priority.services import priority_change
from ..routing import business_hours
from ..services.conversations import conversation_assignee_set
from ..services.messages import activity_create, message_create

CONDITIONS = (
    "channel",
    "message_contains",
    "label",
    "status",
    "priority",
    "attribute",
    "business_hours",
    "team",
    "vip",
    "customer",
)
# The known customer's fields a condition may test (orders.Customer).
CUSTOMER_FIELDS = ("vip_tier", "language", "tags")
ACTIONS = (
    "assign_team",
    "assign_agent",
    "label",
    "priority",
    "send_message",
    "note",
    "resolve",
    "mute",
)
# How long "mute" keeps a resolved conversation resolved when the shopper writes again.
MUTE_HOURS = 6
MAX_ITEMS = 10
# The idle trigger's longest wait: a week.
MAX_IDLE_MINUTES = 7 * 24 * 60
MAX_TEXT = 4000


def _strings(value: Any, *, most: int = 20) -> bool:
    return (
        isinstance(value, list)
        and 1 <= len(value) <= most
        and all(isinstance(x, str) and x.strip() and len(x) <= 200 for x in value)
    )


def _attribute(key: Any) -> AttributeDefinition | None:
    scope, _dot, name = key.partition(".") if isinstance(key, str) else ("", "", "")
    return AttributeDefinition.objects.filter(applies_to=scope, key=name).first()


def check_condition(n: int, c: Any) -> None:
    kind = c.get("type") if isinstance(c, dict) else None
    where = f"Condition {n}"
    if kind not in CONDITIONS:
        raise ValidationError({"conditions": f"{where}: type is one of {', '.join(CONDITIONS)}."})
    if kind == "channel" and not _strings(c.get("in")):
        raise ValidationError({"conditions": f'{where}: "in" lists channel kinds.'})
    if kind == "message_contains" and not _strings(c.get("any")):
        raise ValidationError({"conditions": f'{where}: "any" lists words.'})
    if kind == "label":
        name = c.get("has", c.get("lacks"))
        if not isinstance(name, str) or not Label.objects.filter(name=name).exists():
            raise ValidationError({"conditions": f"{where}: no label named {name!r}."})
    if kind == "status" and not (
        _strings(c.get("in")) and set(c["in"]) <= set(Conversation.Status.values)
    ):
        raise ValidationError({"conditions": f'{where}: "in" lists statuses.'})
    if kind == "priority" and not (_strings(c.get("in")) and set(c["in"]) <= set(PRIORITIES)):
        raise ValidationError({"conditions": f'{where}: "in" lists priorities.'})
    if kind == "attribute":
        definition = _attribute(c.get("key"))
        if definition is None:
            raise ValidationError(
                {"conditions": f"{where}: no attribute {c.get('key')!r} (conversation.<key>)."}
            )
        if "equals" in c:
            try:
                value_clean(definition, c["equals"])
            except ValueError as error:
                raise ValidationError({"conditions": f"{where}: {error}"}) from None
    if kind == "business_hours" and not isinstance(c.get("open"), bool):
        raise ValidationError({"conditions": f'{where}: "open" is true or false.'})
    if kind == "team":
        if not _strings(c.get("in")):
            raise ValidationError({"conditions": f'{where}: "in" lists team names.'})
        known = set(Team.objects.filter(name__in=c["in"]).values_list("name", flat=True))
        missing = [name for name in c["in"] if name not in known]
        if missing:
            raise ValidationError({"conditions": f"{where}: no team named {missing[0]!r}."})
    if kind == "vip" and not isinstance(c.get("is"), bool):
        raise ValidationError({"conditions": f'{where}: "is" is true or false.'})
    if kind == "customer":
        if c.get("field") not in CUSTOMER_FIELDS:
            raise ValidationError(
                {"conditions": f'{where}: "field" is one of {", ".join(CUSTOMER_FIELDS)}.'}
            )
        if not _strings(c.get("any")):
            raise ValidationError({"conditions": f'{where}: "any" lists values.'})


def check_action(n: int, a: Any) -> None:
    kind = a.get("type") if isinstance(a, dict) else None
    where = f"Action {n}"
    if kind not in ACTIONS:
        raise ValidationError({"actions": f"{where}: type is one of {', '.join(ACTIONS)}."})
    if kind == "assign_team" and not Team.objects.filter(name=a.get("team")).exists():
        raise ValidationError({"actions": f"{where}: no team named {a.get('team')!r}."})
    if kind == "assign_agent" and _agent(a.get("agent")) is None:
        raise ValidationError({"actions": f"{where}: no agent {a.get('agent')!r}."})
    if kind == "label" and not Label.objects.filter(name=a.get("label")).exists():
        raise ValidationError({"actions": f"{where}: no label named {a.get('label')!r}."})
    if kind == "priority" and a.get("priority") not in PRIORITIES:
        raise ValidationError({"actions": f"{where}: priority is one of {', '.join(PRIORITIES)}."})
    if kind in ("send_message", "note"):
        text = a.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise ValidationError({"actions": f"{where}: text of 1 to {MAX_TEXT} characters."})


def check_idle(event: str, minutes: Any, waiting_on: str) -> None:
    """The idle trigger needs both its minutes (1 to ``MAX_IDLE_MINUTES``) and who the
    conversation waits on; the other triggers take neither."""
    if event != AutomationRule.Trigger.CONVERSATION_IDLE:
        if minutes is not None or waiting_on:
            raise ValidationError(
                {"idle_minutes": 'Only the trigger "Conversation idle" takes idle minutes.'}
            )
        return
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_IDLE_MINUTES:
        raise ValidationError(
            {"idle_minutes": f"Idle for how many minutes: 1 to {MAX_IDLE_MINUTES}."}
        )
    if waiting_on not in AutomationRule.WaitingOn.values:
        raise ValidationError({"idle_waiting_on": "Waiting on whom: the agent or the shopper."})


def check_rule(conditions: Any, actions: Any) -> None:
    """A ``ValidationError`` naming the first wrong condition or action (the admin shows it)."""
    if not isinstance(conditions, list) or len(conditions) > MAX_ITEMS:
        raise ValidationError({"conditions": f"A list of up to {MAX_ITEMS} conditions."})
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ITEMS:
        raise ValidationError({"actions": f"A list of 1 to {MAX_ITEMS} actions."})
    for n, condition in enumerate(conditions, 1):
        check_condition(n, condition)
    for n, action in enumerate(actions, 1):
        check_action(n, action)


def rule_validate(rule: AutomationRule) -> None:
    """``AutomationRule.clean()`` (the admin on save, ``full_clean()``): the idle trigger's
    fields, then every condition and action."""
    check_idle(rule.event, rule.idle_minutes, rule.idle_waiting_on)
    check_rule(rule.conditions, rule.actions)


def _agent(username: Any) -> Any:
    user = (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .select_related("agent_profile")
        .first()
    )
    return user if user is not None and is_agent(user) else None


# Judging conditions ------------------------------------------------------------------------


def _shopper_text(conversation: Conversation, message: Message | None) -> str:
    if message is None:
        message = (
            Message.objects.filter(
                conversation=conversation,
                conversation_created_at=conversation.created_at,
                sender_kind=Message.SenderKind.VISITOR,
            )
            .order_by("seq")
            .first()
        )
    return message.body.casefold() if message is not None else ""


def _attribute_holds(conversation: Conversation, c: dict[str, Any]) -> bool:
    from ..attributes.selectors import attributes_of

    definition = _attribute(c["key"])
    if definition is None:
        return False
    value = attributes_of(conversation)[definition.applies_to].get(definition.key)
    if "equals" not in c:
        return value is not None
    return value is not None and value == value_clean(definition, c["equals"])


def _customer(conversation: Conversation) -> Any:
    """The known customer of the conversation (or of its visitor), or None."""
    if conversation.customer_id:
        return conversation.customer
    return conversation.visitor.customer if conversation.visitor.customer_id else None


def _customer_holds(conversation: Conversation, c: dict[str, Any]) -> bool:
    customer = _customer(conversation)
    if customer is None:
        return False
    wanted = {str(v).casefold() for v in c["any"]}
    value = getattr(customer, c["field"], None)
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.casefold() in wanted for v in values)


def condition_holds(c: dict[str, Any], conversation: Conversation, message: Message | None) -> bool:
    kind = c["type"]
    if kind == "channel":
        return conversation.channel.kind in c["in"]
    if kind == "message_contains":
        text = _shopper_text(conversation, message)
        return any(word.casefold() in text for word in c["any"])
    if kind == "label":
        has = conversation.labels.filter(name=c.get("has", c.get("lacks"))).exists()
        return has if "has" in c else not has
    if kind == "status":
        return conversation.status in c["in"]
    if kind == "priority":
        return PRIORITIES[conversation.priority] in c["in"]
    if kind == "attribute":
        return _attribute_holds(conversation, c)
    if kind == "business_hours":
        return business_hours.is_open(team_id=conversation.team_id, at=timezone.now()) == c["open"]
    if kind == "team":
        return conversation.team is not None and conversation.team.name in c["in"]
    if kind == "vip":
        customer = _customer(conversation)
        return bool(customer is not None and customer.vip_tier) == c["is"]
    if kind == "customer":
        return _customer_holds(conversation, c)
    return False


# Doing actions -----------------------------------------------------------------------------


def action_do(a: dict[str, Any], conversation: Conversation, *, client_id: str) -> None:
    """Do one action on a conversation the caller has locked, through the service that does
    it elsewhere, so the usual lines, events and frames follow. ``client_id`` makes a message
    stored at most once."""
    kind = a["type"]
    if kind == "assign_team":
        team = Team.objects.get(name=a["team"])
        if conversation.team_id != team.pk:
            conversation.team = team
            conversation.save(update_fields=["team"])
            activity_create(
                conversation=conversation,
                text=_("Automation assigned the conversation to the team %(team)s")
                % {"team": team.name},
            )
            events.publish_conversation(conversation, shopper=False)
    elif kind == "assign_agent":
        agent = _agent(a["agent"])
        if agent is None:
            raise ValueError(f"no agent {a['agent']!r}")
        if conversation.assignee_id != agent.pk:
            conversation_assignee_set(conversation=conversation, assignee=agent, by=None)
            activity_create(
                conversation=conversation,
                text=_("Automation assigned the conversation to %(agent)s")
                % {"agent": sender_name(Actor(user=agent))},
            )
            events.publish_conversation(conversation)
    elif kind == "label":
        label = Label.objects.get(name=a["label"])
        through = Label.conversations.through
        _row, made = through.objects.get_or_create(conversation_id=conversation.pk, label=label)
        if made:
            from ..labels import with_labels

            events.publish_conversation(with_labels(conversation), shopper=False)
    elif kind == "priority":
        priority_change(
            conversation=conversation, priority=PRIORITIES.index(a["priority"]), by=None
        )
    elif kind == "send_message":
        if not Message.objects.filter(conversation=conversation, client_id=client_id).exists():
            message_create(
                conversation=conversation,
                sender_kind=Message.SenderKind.SYSTEM,
                body=a["text"],
                client_id=client_id,
            )
            events.publish_conversation(conversation)
    elif kind == "note":
        activity_create(conversation=conversation, text=a["text"])
        events.publish_conversation(conversation, shopper=False)
    elif kind == "resolve":
        _resolve(conversation)
    elif kind == "mute":
        _resolve(conversation)
        conversation.muted_until = timezone.now() + dt.timedelta(hours=MUTE_HOURS)
        conversation.save(update_fields=["muted_until"])
        activity_create(
            conversation=conversation,
            text=_("Automation muted the conversation for %(hours)s hours") % {"hours": MUTE_HOURS},
        )
        events.publish_conversation(conversation, shopper=False)


def mute_payload(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """``muted_until`` in the staff view while a mute lasts (a column: no query)."""
    if not staff:
        return {}
    until = conversation.muted_until
    return {"muted_until": events.isoformat(until) if until and until > timezone.now() else None}


def _resolve(conversation: Conversation) -> None:
    """Resolve as the desk (no agent): the same row change, event and line as an agent's."""
    if conversation.status == Conversation.Status.RESOLVED:
        return
    previous, now = conversation.status, timezone.now()
    conversation.status = Conversation.Status.RESOLVED
    conversation.resolved_at = now
    conversation.snoozed_until = None
    conversation.save(update_fields=["status", "resolved_at", "snoozed_until"])
    dispatch.dispatch(
        dispatch.DomainEvent(
            name=dispatch.Event.CONVERSATION_RESOLVED,
            at=now,
            conversation_id=conversation.pk,
            data={"status": conversation.status, "previous": previous, "by_user_id": None},
        )
    )
    activity_create(conversation=conversation, text=_("Automation resolved the conversation"))
    events.publish_conversation(conversation)
