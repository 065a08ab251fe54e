"""Automation rules on real PostgreSQL (committed transactions, eager Celery unless said):
triggers, conditions, actions through their services, the run log, loop-proofing, failures,
the admin's checks, and one rule fired by a real Celery worker."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chat.access import Actor
from chat.models import (
    AttributeDefinition,
    AutomationRule,
    AutomationRun,
    Conversation,
    Label,
    Macro,
    Message,
)
from chat.services.conversations import conversation_assign, conversation_status_set
from tests.factories import agent_says, make_agent, make_team, make_visitor, shopper_says

pytestmark = pytest.mark.django_db(transaction=True)
Trigger = AutomationRule.Trigger


def rule(event: str, conditions: list[Any], actions: list[Any], **kw: Any) -> AutomationRule:
    made = AutomationRule(
        name=kw.pop("name", f"rule {AutomationRule.objects.count() + 1}"),
        event=event,
        conditions=conditions,
        actions=actions,
        **kw,
    )
    made.full_clean()
    made.save()
    return made


def bodies(conversation: Conversation, **filters: Any) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, **filters)
        .order_by("seq")
        .values_list("body", flat=True)
    )


def test_a_shopper_message_with_a_word_labels_prioritises_notes_and_answers() -> None:
    Label.objects.create(name="Refund")
    refunds = rule(
        Trigger.MESSAGE_CREATED,
        [
            {"type": "channel", "in": ["web"]},
            {"type": "message_contains", "any": ["refund", "退款"]},
        ],
        [
            {"type": "label", "label": "Refund"},
            {"type": "priority", "priority": "high"},
            {"type": "note", "text": "Refund asked: check the order"},
            {"type": "send_message", "text": "We have your refund request."},
        ],
    )
    visitor = make_visitor(name="Mia")
    first = shopper_says(visitor, "Hello, where is my parcel?")
    conversation = first.conversation
    assert not AutomationRun.objects.exists()  # no keyword: the rule did not run
    shopper_says(visitor, "我想要退款")
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.HIGH
    assert list(conversation.labels.values_list("name", flat=True)) == ["Refund"]
    assert bodies(conversation, private=True, sender_kind="system")[-2:] == [
        "Priority set to High",
        "Refund asked: check the order",
    ]
    assert bodies(conversation, private=False, sender_kind="system") == [
        "We have your refund request."
    ]
    (run,) = AutomationRun.objects.all()
    assert (run.rule, run.conversation, run.outcome) == (refunds, conversation, "done")
    assert run.actions_done == ["label", "priority", "note", "send_message"]
    assert run.event == "message_created"
    # The automatic answer is a desk message, not a shopper's: it triggers nothing.
    shopper_says(visitor, "thanks")
    assert AutomationRun.objects.count() == 1


def test_a_rules_own_change_does_not_trigger_it_again_and_chains_stop() -> None:
    ana = make_agent("ana", name="Ana")
    Label.objects.create(name="VIP")
    escalate = rule(
        Trigger.CONVERSATION_UPDATED,
        [],
        [{"type": "priority", "priority": "urgent"}, {"type": "note", "text": "escalated"}],
        name="escalate",
    )
    # Triggered by escalate's change (a different rule may follow it, once).
    vip = rule(
        Trigger.CONVERSATION_UPDATED,
        [{"type": "priority", "in": ["urgent"]}],
        [{"type": "label", "label": "VIP"}],
        name="vip",
    )
    conversation = shopper_says(make_visitor(), "hi").conversation
    conversation_assign(actor=Actor(user=ana), conversation_id=conversation.pk, assignee_id=ana.pk)
    runs = list(AutomationRun.objects.order_by("pk").values_list("rule__name", flat=True))
    assert runs == ["escalate", "vip"]
    assert bodies(conversation, private=True).count("escalated") == 1
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.URGENT
    assert conversation.labels.filter(name="VIP").exists()
    assert {r.rule_id: r.outcome for r in AutomationRun.objects.all()} == {
        escalate.pk: "done",
        vip.pk: "done",
    }


def test_changes_committed_together_run_an_updated_rule_once() -> None:
    ana = make_agent("ana", name="Ana")
    count = rule(Trigger.CONVERSATION_UPDATED, [], [{"type": "note", "text": "updated"}])
    macro = Macro.objects.create(
        name="Take and raise",
        actions=[{"type": "assign_me"}, {"type": "priority", "priority": "low"}],
    )
    conversation = shopper_says(make_visitor(), "hi").conversation
    from chat.macros import macro_run

    macro_run(actor=Actor(user=ana), macro_id=macro.pk, conversation_id=conversation.pk)
    assert AutomationRun.objects.filter(rule=count).count() == 1
    assert bodies(conversation, private=True).count("updated") == 1


def test_created_resolved_business_hours_attribute_and_team_agent_actions() -> None:
    ana = make_agent("ana", name="Ana")
    make_team("Returns")
    AttributeDefinition.objects.create(
        applies_to="contact", key="plan", label="Plan", kind="list", options=["Free", "Pro"]
    )
    # No schedule: the desk is always open, so "closed" never holds.
    rule(
        Trigger.CONVERSATION_CREATED,
        [{"type": "business_hours", "open": False}],
        [{"type": "send_message", "text": "We are closed"}],
        name="closed",
    )
    rule(
        Trigger.CONVERSATION_CREATED,
        [{"type": "business_hours", "open": True}, {"type": "message_contains", "any": ["return"]}],
        [{"type": "assign_team", "team": "Returns"}, {"type": "assign_agent", "agent": "ana"}],
        name="returns",
    )
    rule(
        Trigger.CONVERSATION_UPDATED,
        [{"type": "attribute", "key": "contact.plan", "equals": "Pro"}],
        [{"type": "priority", "priority": "medium"}],
        name="pro",
    )
    rule(
        Trigger.CONVERSATION_RESOLVED,
        [{"type": "status", "in": ["resolved"]}],
        [{"type": "note", "text": "closed, survey sent"}],
        name="resolved",
    )
    conversation = shopper_says(make_visitor(), "I want to return a lamp").conversation
    conversation.refresh_from_db()
    assert conversation.team.name == "Returns" and conversation.assignee_id == ana.pk
    assert "We are closed" not in bodies(conversation)
    from chat.attributes.services import conversation_attributes_set

    conversation_attributes_set(
        actor=Actor(user=ana), conversation_id=conversation.pk, values={"contact": {"plan": "Pro"}}
    )
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.MEDIUM
    conversation_status_set(
        actor=Actor(user=ana), conversation_id=conversation.pk, status="resolved"
    )
    assert "closed, survey sent" in bodies(conversation, private=True)
    ran = set(AutomationRun.objects.values_list("rule__name", flat=True))
    assert ran == {"returns", "pro", "resolved"}


def test_a_failing_action_undoes_the_rule_and_is_recorded() -> None:
    bo = make_agent("bo", name="Bo")
    Label.objects.create(name="VIP")
    broken = rule(
        Trigger.MESSAGE_CREATED,
        [],
        [{"type": "label", "label": "VIP"}, {"type": "assign_agent", "agent": "bo"}],
    )
    bo.is_active = False
    bo.save()
    conversation = shopper_says(make_visitor(), "hello").conversation
    (run,) = AutomationRun.objects.filter(rule=broken)
    assert run.outcome == "failed" and "no agent 'bo'" in run.error
    assert run.actions_done == []
    assert not conversation.labels.exists()
    # The shopper's message itself is stored: automation runs after it committed.
    assert bodies(conversation) == ["hello"]


def test_inactive_rules_and_agents_messages_do_not_run() -> None:
    ana = make_agent("ana")
    rule(Trigger.MESSAGE_CREATED, [], [{"type": "note", "text": "x"}], active=False)
    conversation = shopper_says(make_visitor(), "hi").conversation
    agent_says(ana, conversation, "hello")
    assert not AutomationRun.objects.exists()


@pytest.mark.parametrize(
    ("conditions", "actions", "message"),
    [
        ([], [], "A list of 1 to 10 actions."),
        ([{"type": "weather"}], [{"type": "resolve"}], "Condition 1: type is one of"),
        ([{"type": "label", "has": "Nope"}], [{"type": "resolve"}], "no label named 'Nope'"),
        ([{"type": "priority", "in": ["asap"]}], [{"type": "resolve"}], '"in" lists priorities'),
        ([{"type": "attribute", "key": "contact.x"}], [{"type": "resolve"}], "no attribute"),
        ([], [{"type": "assign_agent", "agent": "ghost"}], "no agent 'ghost'"),
        ([], [{"type": "assign_team", "team": "Ghosts"}], "no team named 'Ghosts'"),
        ([], [{"type": "send_message", "text": " "}], "text of 1 to 4000"),
        ([], [{"type": "explode"}], "Action 1: type is one of"),
        ([{"type": "team", "in": ["Ghosts"]}], [{"type": "resolve"}], "no team named 'Ghosts'"),
        ([{"type": "vip", "is": "yes"}], [{"type": "resolve"}], '"is" is true or false'),
        ([{"type": "customer", "field": "email", "any": ["x"]}], [{"type": "resolve"}], "field"),
        ([{"type": "customer", "field": "tags", "any": []}], [{"type": "resolve"}], '"any"'),
    ],
)
def test_the_admin_refuses_bad_rules(conditions: Any, actions: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AutomationRule(
            name="x", event=Trigger.MESSAGE_CREATED, conditions=conditions, actions=actions
        ).full_clean()
    assert message in str(caught.value)


@pytest.mark.slow
def test_a_rule_fires_on_a_real_celery_worker(settings: Any) -> None:
    from helpdesk.celery import app
    from tests.procs import celery_worker, server_env

    Label.objects.create(name="Refund")
    rule(
        Trigger.MESSAGE_CREATED,
        [{"type": "message_contains", "any": ["refund"]}],
        [{"type": "label", "label": "Refund"}, {"type": "note", "text": "from the worker"}],
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        with celery_worker(server_env(connection.settings_dict["NAME"]), "automation-test"):
            conversation = shopper_says(make_visitor(), "I need a refund").conversation
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if AutomationRun.objects.filter(conversation=conversation).exists():
                    break
                time.sleep(0.2)
            else:
                pytest.fail("the worker did not run the rule")
    finally:
        app.conf.task_always_eager = True
    (run,) = AutomationRun.objects.filter(conversation=conversation)
    assert run.outcome == "done" and conversation.labels.filter(name="Refund").exists()
    assert "from the worker" in bodies(conversation, private=True)


def test_mute_keeps_the_conversation_resolved_until_an_agent_reopens_it() -> None:
    from chat import events

    ana = make_agent("ana", name="Ana")
    rule(
        Trigger.MESSAGE_CREATED,
        [{"type": "message_contains", "any": ["unsubscribe"]}],
        [{"type": "mute"}],
    )
    visitor = make_visitor()
    conversation = shopper_says(visitor, "unsubscribe me from this").conversation
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.muted_until is not None
    assert events.conversation_payload(conversation, staff=True)["muted_until"]
    assert "muted_until" not in events.conversation_payload(conversation, staff=False)
    # The shopper writes again: the message is kept, the conversation stays resolved.
    again = shopper_says(visitor, "hello?")
    assert again.conversation_id == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    # An agent reopens it: the mute ends, and after resolving a message reopens it as usual.
    conversation_status_set(actor=Actor(user=ana), conversation_id=conversation.pk, status="open")
    conversation.refresh_from_db()
    assert conversation.muted_until is None
    conversation_status_set(
        actor=Actor(user=ana), conversation_id=conversation.pk, status="resolved"
    )
    shopper_says(visitor, "one more thing")
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert "Automation muted the conversation for 6 hours" in bodies(conversation, private=True)


def test_team_vip_and_customer_conditions() -> None:
    from orders.models import Customer

    returns, sales = make_team("Returns"), make_team("Sales")
    rule(
        Trigger.MESSAGE_CREATED,
        [{"type": "team", "in": ["Returns"]}, {"type": "vip", "is": True}],
        [{"type": "note", "text": "VIP in Returns"}],
        name="vip returns",
    )
    rule(
        Trigger.MESSAGE_CREATED,
        [{"type": "vip", "is": False}],
        [{"type": "note", "text": "not VIP"}],
        name="not vip",
    )
    rule(
        Trigger.MESSAGE_CREATED,
        [
            {"type": "customer", "field": "tags", "any": ["wholesale"]},
            {"type": "customer", "field": "language", "any": ["ZH", "zh-hans"]},
        ],
        [{"type": "note", "text": "wholesale zh"}],
        name="wholesale",
    )
    gold = Customer.objects.create(
        external_id="g1", vip_tier="gold", tags=["Wholesale"], language="zh"
    )
    plain = Customer.objects.create(external_id="p1", tags=["retail"], language="zh")
    vip_conv = shopper_says(make_visitor(customer=gold), "hi").conversation
    plain_conv = shopper_says(make_visitor(customer=plain), "hi").conversation
    anonymous = shopper_says(make_visitor(), "hi").conversation
    Conversation.objects.filter(pk__in=[vip_conv.pk, plain_conv.pk]).update(team=returns)
    Conversation.objects.filter(pk=anonymous.pk).update(team=sales)
    AutomationRun.objects.all().delete()
    for conversation in (vip_conv, plain_conv, anonymous):
        shopper_says(conversation.visitor, "again")
    ran = {
        (run.conversation_id, run.rule.name) for run in AutomationRun.objects.select_related("rule")
    }
    assert ran == {
        (vip_conv.pk, "vip returns"),
        (vip_conv.pk, "wholesale"),
        (plain_conv.pk, "not vip"),
        (anonymous.pk, "not vip"),
    }


def test_a_rule_saved_by_another_process_is_heard_within_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each process keeps which triggers have rules; a save anywhere moves a version in the
    shared cache, and every process reloads on its next check (at most a second later)."""
    from django.core.cache import cache

    from chat.automation import listeners

    assert listeners.triggers_with_rules() == frozenset()
    # Another process saves a rule: this process hears no signal, only the shared version.
    AutomationRule.objects.bulk_create(
        [AutomationRule(name="x", event=Trigger.MESSAGE_CREATED, actions=[{"type": "resolve"}])]
    )
    assert listeners.triggers_with_rules() == frozenset()  # still this process's copy
    cache.set(listeners.VERSION_KEY, int(cache.get(listeners.VERSION_KEY, 0)) + 1, None)
    monkeypatch.setattr(listeners, "VERSION_CHECK_SECONDS", 0.0)
    assert listeners.triggers_with_rules() == frozenset({"message_created"})
    # A save in this process moves the shared version too.
    before = int(cache.get(listeners.VERSION_KEY, 0))
    AutomationRule.objects.get().delete()
    assert int(cache.get(listeners.VERSION_KEY, 0)) == before + 1
    assert listeners.triggers_with_rules() == frozenset()


def _idle_rule(minutes: int, waiting_on: str, actions: list[Any], **kw: Any) -> AutomationRule:
    return rule(
        Trigger.CONVERSATION_IDLE,
        kw.pop("conditions", []),
        actions,
        idle_minutes=minutes,
        idle_waiting_on=waiting_on,
        **kw,
    )


def test_idle_waiting_on_the_agent_fires_once_per_spell_from_the_beat() -> None:
    import datetime as dt

    from django.utils import timezone

    from chat.automation.idle import idle_scan
    from chat.models import ConversationRouting

    ana = make_agent("ana", name="Ana")
    waited = _idle_rule(30, "agent", [{"type": "priority", "priority": "high"}], name="waited")
    now = timezone.now()
    late = shopper_says(make_visitor(), "anyone?").conversation
    recent = shopper_says(make_visitor(), "hello").conversation
    closed = shopper_says(make_visitor(), "bye").conversation
    routing = ConversationRouting.objects
    routing.filter(conversation=late).update(waiting_since=now - dt.timedelta(minutes=31))
    routing.filter(conversation=recent).update(waiting_since=now - dt.timedelta(minutes=10))
    routing.filter(conversation=closed).update(waiting_since=now - dt.timedelta(minutes=40))
    Conversation.objects.filter(pk=closed.pk).update(status="resolved")

    assert idle_scan(now=now) == 1
    assert idle_scan(now=now) == 0  # the watermark moved past it
    AutomationRule.objects.filter(pk=waited.pk).update(idle_checked_through=None)
    assert idle_scan(now=now) == 0  # and the run is kept once per spell
    (run,) = AutomationRun.objects.all()
    assert (run.conversation_id, run.event, run.outcome) == (late.pk, "conversation_idle", "done")
    late.refresh_from_db()
    assert late.priority == Conversation.Priority.HIGH

    # The agent answers; the shopper writes again: a new spell, which fires once it is due.
    agent_says(ana, late, "Here I am")
    shopper_says(late.visitor, "thanks, one more question")
    spell = routing.get(conversation=late).waiting_since
    assert spell is not None and spell > now - dt.timedelta(minutes=1)
    assert idle_scan(now=spell + dt.timedelta(minutes=29)) == 1  # "recent", due by then
    assert AutomationRun.objects.filter(conversation=late).count() == 1
    assert idle_scan(now=spell + dt.timedelta(minutes=31)) == 1
    assert set(AutomationRun.objects.values_list("conversation_id", flat=True)) == {
        late.pk,
        recent.pk,
    }
    assert AutomationRun.objects.filter(conversation=late).count() == 2


def test_idle_waiting_on_the_shopper_fires_once_per_agent_line() -> None:
    import datetime as dt

    from django.utils import timezone

    from chat.automation.idle import idle_scan

    ana = make_agent("ana", name="Ana")
    still = _idle_rule(15, "shopper", [{"type": "send_message", "text": "Are you still there?"}])
    conversation = shopper_says(make_visitor(), "my parcel").conversation
    agent_says(ana, conversation, "Which order number?")
    waiting_on_us = shopper_says(make_visitor(), "hello").conversation
    now = timezone.now()
    old = now - dt.timedelta(minutes=16)
    Conversation.objects.filter(pk__in=[conversation.pk, waiting_on_us.pk]).update(
        last_activity_at=old
    )
    assert idle_scan(now=now) == 1
    assert bodies(conversation, private=False)[-1] == "Are you still there?"
    # The rule's own message moved the activity; the same agent line never fires it again.
    later = timezone.now() + dt.timedelta(minutes=20)
    assert idle_scan(now=later) == 0
    # The shopper answers, the agent asks again: a new spell. (This test's clock jumped 20
    # minutes ahead, past the new line; a real beat's watermark stays behind the clock.)
    shopper_says(conversation.visitor, "sorry, 1234")
    agent_says(ana, conversation, "Thanks, and your email?")
    AutomationRule.objects.filter(pk=still.pk).update(idle_checked_through=None)
    assert idle_scan(now=later + dt.timedelta(minutes=20)) == 1
    assert bodies(conversation, private=False).count("Are you still there?") == 2
    assert not AutomationRun.objects.filter(conversation=waiting_on_us).exists()


@pytest.mark.parametrize(
    ("event", "minutes", "waiting_on", "message"),
    [
        ("conversation_idle", None, "agent", "Idle for how many minutes: 1 to 10080."),
        ("conversation_idle", 0, "agent", "Idle for how many minutes"),
        ("conversation_idle", 20000, "agent", "Idle for how many minutes"),
        ("conversation_idle", 30, "", "Waiting on whom: the agent or the shopper."),
        ("message_created", 30, "", 'Only the trigger "Conversation idle" takes idle minutes.'),
    ],
)
def test_the_admin_checks_the_idle_trigger(
    event: str, minutes: Any, waiting_on: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        AutomationRule(
            name="x",
            event=event,
            idle_minutes=minutes,
            idle_waiting_on=waiting_on,
            actions=[{"type": "resolve"}],
        ).full_clean()
    assert message in str(caught.value)


def test_the_idle_scan_is_scheduled_in_beat_and_in_the_embedded_beat() -> None:
    from django.conf import settings

    from chat.automation.tasks import idle_scan_task
    from helpdesk import embedded_beat
    from helpdesk.celery import app

    jobs = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == idle_scan_task.name]
    assert len(jobs) == 1 and float(jobs[0]["schedule"]) == 60.0
    assert idle_scan_task.name in app.tasks
    names = {entry.task for entry in embedded_beat.scheduler().schedule.values()}
    assert idle_scan_task.name in names
    assert idle_scan_task.delay().get() == 0  # eager in tests; no idle rule
