"""The queue in a real browser: two shoppers ask for a person while nobody is online and see
their places in line; an agent logs in and gets the first the moment their socket is up, the
second moves up; resolving frees the slot, the second is assigned, the first shopper rates
the conversation. The agent then fills a canned reply with `/` in the composer.

Runs its own Daphne with the bot switched off, so every new conversation queues at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from chat import services as chat_services
from chat.access import Actor
from chat.models import (
    AgentPresence,
    CannedReply,
    Conversation,
    SatisfactionRating,
    Team,
    TeamRouting,
)
from tests.e2e.support import new_page as _new_page
from tests.e2e.support import off_loop
from tests.factories import make_agent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20_000
new_page = functools.partial(_new_page, timeout=TIMEOUT, locale="en-US")
POSITION = '[data-testid="hd-queue-position"]'


@pytest.fixture
def queue_server(django_db_blocker: Any) -> Iterator[str]:
    from tests.procs import daphne, server_env

    env = server_env(connection.settings_dict["NAME"])
    env.update({"HELPDESK_BOT_ENABLED": "0"})
    with daphne(env) as base:
        yield base


def shopper_asks(browser: Any, pages: list[Any], base: str, text: str) -> Page:
    page = new_page(browser, pages)
    page.goto(base + "/")
    page.click('[data-testid="hd-launcher"]')
    expect(page.locator('[data-testid="hd-panel"]')).to_have_attribute("data-connection", "online")
    page.fill('[data-testid="hd-input"]', text)
    page.press('[data-testid="hd-input"]', "Enter")
    expect(
        page.locator('[data-testid="hd-message"][data-sender="visitor"]:not([data-seq=""])')
    ).to_have_count(1)
    return page


def test_queue_positions_assignment_csat_and_canned(
    queue_server: str, browser: Any, pages: list[Any]
) -> None:
    team = Team.objects.create(name="Desk")
    TeamRouting.objects.create(team=team, is_default=True)
    ana = make_agent("ana", name="Ana", capacity=1)
    ana.agent_profile.teams.add(team)
    CannedReply.objects.create(
        shortcut="thanks", body="Thanks {{customer.name}}, {{agent.name}} here!"
    )

    first = shopper_asks(browser, pages, queue_server, "I need a person please")
    second = shopper_asks(browser, pages, queue_server, "Hello, anyone there?")
    one, two = Conversation.objects.order_by("pk")
    # Nobody is online: no place in line that nobody can take, no "a few minutes" promise.
    for page in (first, second):
        expect(page.locator('[data-testid="hd-away"]')).to_contain_text(
            "All our agents are busy or offline right now."
        )
        expect(page.locator('[data-testid="hd-status"]')).to_have_text(
            "We'll reply as soon as someone is free"
        )
        expect(page.locator(POSITION)).to_have_count(0)
    assert one.assignee_id is None and two.assignee_id is None

    # Ana logs in: her socket makes her available and the router gives her the first.
    desk = new_page(browser, pages)
    desk.goto(queue_server + "/desk/")
    desk.fill("input[name=username]", "ana")
    desk.fill("input[name=password]", "pw-ana")
    desk.click("button[type=submit]")
    expect(desk.locator("#dk-conn")).to_have_attribute("data-state", "open")
    expect(desk.locator('[data-testid="dk-presence"]')).to_have_value("online")
    expect(first.locator('[data-testid="hd-status"]')).to_contain_text("Ana")
    expect(first.locator(POSITION)).to_have_count(0)
    expect(
        first.locator('[data-testid="hd-message"][data-sender="system"]', has_text="Ana has joined")
    ).to_have_count(1)
    # The second moved up; Ana is online but full (capacity 1), so it waits in line.
    expect(second.locator(POSITION)).to_have_attribute("data-position", "1")
    expect(second.locator(POSITION)).to_have_text("You are number 1 in line")
    expect(second.locator('[data-testid="hd-away"]')).to_have_count(0)
    one.refresh_from_db()
    assert one.assignee_id == ana.pk
    two.refresh_from_db()
    assert two.assignee_id is None
    # The top bar counts who waits; its overview shows Ana full.
    expect(desk.locator('[data-testid="dk-queue-counter"]')).to_have_attribute("data-waiting", "1")
    desk.click('[data-testid="dk-queue-counter"]')
    overview = desk.locator('[data-testid="dk-queue-overview"]')
    expect(overview.locator(f'tr[data-agent="{ana.pk}"]')).to_contain_text("1 / 1")
    desk.click('[data-testid="dk-queue-counter"]')
    expect(overview).to_have_count(0)

    # Resolving frees the slot: the second is assigned at once; the first is asked to rate.
    off_loop(
        chat_services.conversation_status_set,
        actor=Actor(user=ana),
        conversation_id=one.pk,
        status="resolved",
    )
    expect(second.locator('[data-testid="hd-status"]')).to_contain_text("Ana")
    expect(second.locator(POSITION)).to_have_count(0)
    csat = first.locator('[data-testid="hd-csat"]')
    expect(csat).to_be_visible()
    csat.locator('[data-testid="hd-csat-star"][data-value="5"]').click()
    csat.locator('[data-testid="hd-csat-comment"]').fill("Quick and kind")
    csat.locator('[data-testid="hd-csat-submit"]').click()
    expect(first.get_by_text("Thank you for your feedback!")).to_be_visible()
    expect(csat).to_have_count(0)
    rating = SatisfactionRating.objects.get()
    assert (rating.conversation_id, rating.rating, rating.comment) == (one.pk, 5, "Quick and kind")

    # Canned reply: "/tha" in the composer picks it, filled on the server.
    desk.locator(f'#dk-rows .dk-row[data-id="{two.pk}"]').click()
    pane = desk.locator(f'.dk-pane[data-conversation="{two.pk}"]')
    area = pane.locator(".dk-textarea")
    area.click()
    area.press_sequentially("/tha")
    item = desk.locator('[data-testid="dk-canned-item"][data-shortcut="thanks"]')
    expect(item).to_be_visible()
    area.press("Enter")
    expect(area).to_have_value(re.compile(r"^Thanks , Ana here!$"))

    # The manual switch: away keeps her chats but takes no new ones.
    desk.select_option('[data-testid="dk-presence"]', "away")
    expect(desk.locator('[data-testid="dk-presence-dot"]')).to_have_attribute("data-status", "away")
    assert AgentPresence.objects.get(user=ana).status == "away"

    assert not first.js_errors and not second.js_errors and not desk.js_errors  # type: ignore[attr-defined]


def test_proactive_greeting_once_then_leave_a_message_outside_hours(
    queue_server: str, browser: Any, pages: list[Any]
) -> None:

    from django.utils import timezone

    from chat.models import (
        Holiday,
        LeftMessage,
        ProactiveChatSettings,
        Schedule,
        ScheduleInterval,
    )
    from orders.models import Product

    team = Team.objects.create(name="Desk")
    TeamRouting.objects.create(team=team, is_default=True)
    schedule = Schedule.objects.create(team=team, timezone="UTC")
    Holiday.objects.create(schedule=schedule, date=timezone.now().date())  # closed today
    # Open tomorrow from 09:00: the header says so instead of "a few minutes".
    tomorrow = timezone.now().date() + dt.timedelta(days=1)
    ScheduleInterval.objects.create(
        schedule=schedule, weekday=tomorrow.weekday(), opens=dt.time(9), closes=dt.time(18)
    )
    ProactiveChatSettings.objects.create(
        pk=1, enabled=True, delay_seconds=1, greeting_en="Questions about this teapot?"
    )
    Product.objects.create(external_id="p-1", name="Teapot", slug="teapot")

    page = new_page(browser, pages)
    page.goto(queue_server + "/p/teapot/")
    panel = page.locator('[data-testid="hd-panel"]')
    greeting = page.locator('[data-testid="hd-notice"][data-notice-id="proactive"]')
    expect(greeting).to_have_text("Questions about this teapot?")
    expect(panel).to_be_visible()
    # Closed all day: the widget says so and offers the form.
    away = page.locator('[data-testid="hd-away"]')
    expect(away).to_contain_text("We're away right now")
    expect(page.locator('[data-testid="hd-status"]')).to_have_text(re.compile(r"^Back at .*09:00"))
    page.locator('[data-testid="hd-leave-open"]').click()
    form = page.locator('[data-testid="hd-leave-form"]')
    form.locator('[data-testid="hd-leave-body"]').fill("Is the teapot dishwasher safe?")
    form.locator('[data-testid="hd-leave-send"]').click()
    expect(form.locator('[data-testid="hd-leave-error"]')).to_have_text(
        "Please leave an email or a phone number."
    )
    form.locator('[data-testid="hd-leave-email"]').fill("tea@example.com")
    form.locator('[data-testid="hd-leave-send"]').click()
    expect(page.get_by_text("Thanks! We'll get back to you soon.")).to_be_visible()
    expect(form).to_have_count(0)
    left = LeftMessage.objects.get()
    assert (left.email, left.body) == ("tea@example.com", "Is the teapot dishwasher safe?")
    assert left.conversation.routing.queue_reason == "left_message"

    # At most once per visit: closing and reloading the page does not greet again.
    page.click('[data-testid="hd-close"]')
    page.reload()
    page.wait_for_timeout(2500)
    expect(panel).to_be_hidden()
    assert not page.js_errors  # type: ignore[attr-defined]
