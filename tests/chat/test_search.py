"""Message search (chat/search/): English and Chinese words from old messages and notes,
highlights, the list's search through the same index, the index itself and erasure."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from chat.models import Message
from chat.privacy import erase_chat
from chat.search.messages import highlight, search_messages
from chat.search.segment import clean_query, index_text, query_words
from tests.factories import (
    agent_says,
    conversation_of,
    customer_with_orders,
    make_agent,
    shopper_says,
    verified_visitor,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/search/messages"
pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")


@pytest.fixture
def ana() -> Any:
    return make_agent("ana")


@pytest.fixture
def desk(ana: Any) -> APIClient:
    client = APIClient()
    client.force_login(ana)
    return client


def test_segmentation() -> None:
    assert index_text("plain English") is None
    text = index_text("我想了解退货政策 order#12")
    assert text is not None
    assert {"退货", "政策"} <= set(text.split()) and "order#12" in text
    # Cut "for search": a long word also yields its shorter words.
    assert {"人民", "共和国", "中华人民共和国"} <= set((index_text("中华人民共和国") or "").split())
    assert query_words("退货政策") == ["政策", "退货"]
    assert query_words("Refund  the ORDER!") == ["refund", "order", "the"]


def test_highlight_window_and_ranges() -> None:
    body = "x" * 300 + " the Refund came " + "y" * 300
    hit = highlight(body, ["refund"])
    snippet = hit["snippet"]
    assert snippet.startswith("…") and snippet.endswith("…") and len(snippet) <= 162
    [[start, end]] = hit["highlights"]
    assert snippet[start:end] == "Refund"
    zh = highlight("您好，我想退货，谢谢", ["退货"])
    assert zh == {"snippet": "您好，我想退货，谢谢", "highlights": [[5, 7]]}


def test_finds_old_english_and_chinese_words_and_notes(desk: APIClient, ana: Any) -> None:
    first = conversation_of(body="My parcel never arrived, tracking says lost")
    shopper_says(first.visitor, "any news?")
    second = conversation_of(body="你好，我想退货，衣服尺码不合适")
    shopper_says(second.visitor, "谢谢")
    note = agent_says(ana, first, "Escalated to the courier, claim filed", private=True)

    data = desk.get(URL, {"q": "parcel"}).json()
    assert [hit["message"]["conversation"] for hit in data["results"]] == [first.pk]
    hit = data["results"][0]
    assert hit["message"]["seq"] == 1 and hit["conversation"]["id"] == first.pk
    [[start, end]] = hit["highlights"]
    assert hit["snippet"][start:end] == "parcel"

    data = desk.get(URL, {"q": "退货"}).json()
    assert [hit["message"]["conversation"] for hit in data["results"]] == [second.pk]
    [[start, end]] = data["results"][0]["highlights"]
    assert data["results"][0]["snippet"][start:end] == "退货"
    # Both words must occur (not just one).
    assert desk.get(URL, {"q": "退货 快递"}).json()["results"] == []
    assert desk.get(URL, {"q": "尺码 退货"}).json()["results"][0]["message"]["seq"] == 1

    data = desk.get(URL, {"q": "courier claim"}).json()
    assert [hit["message"]["id"] for hit in data["results"]] == [note.pk]
    assert data["results"][0]["message"]["private"] is True

    assert desk.get(URL, {"q": "nothing-like-this"}).json()["results"] == []
    assert desk.get(URL, {"q": "  !! "}).json() == {"query": "!!", "words": [], "results": []}
    # A NUL (PostgreSQL text cannot hold one) is refused before the search, not a 500.
    assert desk.get(URL, {"q": "par\x00cel"}).status_code == 400
    assert desk.get("/api/v1/conversations/", {"q": "parcel\x00"}).status_code == 400
    assert search_messages(query=clean_query("parcel\x00"))[0].conversation_id == first.pk


def test_list_search_reads_message_history(desk: APIClient) -> None:
    old = conversation_of(body="退货运费谁出？")
    shopper_says(old.visitor, "hello again")  # the preview no longer has the word
    conversation_of(body="unrelated")
    rows = desk.get("/api/v1/conversations/", {"view": "all", "q": "运费"}).json()["results"]
    assert [row["id"] for row in rows] == [old.pk]


def test_list_search_reads_the_shoppers_and_customers_fields(desk: APIClient) -> None:
    """Name and e-mail of the shopper; name, e-mail, phone and external id of the customer
    (substrings, any case); the newest conversations first."""
    customer = customer_with_orders("crm-7731", n=0, phone="+86 138 0013 8000")
    by_customer = conversation_of(verified_visitor(customer), body="hello")
    by_email = conversation_of(body="hello", name="Mia", email="mia.k@example.org")
    by_name = conversation_of(body="hello", name="Wei Zhang")
    leo = conversation_of(body="hello", name="Leo")

    def listed(q: str) -> list[int]:
        rows = desk.get("/api/v1/conversations/", {"view": "all", "q": q}).json()["results"]
        return [row["id"] for row in rows]

    assert listed("zhang") == [by_name.pk]
    assert listed("MIA.K@") == [by_email.pk]
    assert listed("0013 8000") == [by_customer.pk]
    assert listed("crm-77") == [by_customer.pk]
    assert listed("i") == [by_name.pk, by_email.pk, by_customer.pk]  # Wei, Mia, Lima
    assert listed("nobody-like-this") == []
    # The preview (the newest message) is read as a substring.
    assert listed("ELL") == [leo.pk, by_name.pk, by_email.pk, by_customer.pk]


@pg
def test_people_are_searched_through_their_trigram_indexes() -> None:
    from chat.models import Visitor
    from chat.search.conversations import CUSTOMER_FIELDS, VISITOR_FIELDS, _people
    from orders.models import Customer

    for model, fields, index in (
        (Visitor, VISITOR_FIELDS, "visitor_search_trgm"),
        (Customer, CUSTOMER_FIELDS, "customer_search_trgm"),
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = _people(model, fields, "lima").values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"Bitmap Index Scan on {index}" in plan, plan


def test_agents_only(ana: Any) -> None:
    conversation_of(body="secret words")
    assert APIClient().get(URL, {"q": "secret"}).status_code in (401, 403)


def test_erased_messages_are_not_found(desk: APIClient) -> None:
    customer = customer_with_orders("c-erase", n=0)
    conversation_of(verified_visitor(customer), body="我的地址是北京市朝阳区")
    assert desk.get(URL, {"q": "朝阳区"}).json()["results"]
    erase_chat(customer)
    assert Message.objects.filter(search_text__isnull=False).count() == 0
    assert desk.get(URL, {"q": "朝阳区"}).json()["results"] == []


@pg
def test_postgres_uses_the_index_on_every_partition() -> None:
    conversation_of(body="indexed words")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE NOT i.indisvalid), count(*) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE %s",
            ["%search%"],
        )
        invalid, total = cursor.fetchone()
        assert invalid == 0 and total > 1
        cursor.execute("SET LOCAL enable_seqscan = off")
        from chat.search.messages import matching_messages

        sql, params = matching_messages("indexed").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on chat_message_" in plan and "_search" in plan, plan


@pg
def test_the_newest_matches_are_chosen_before_anything_is_joined() -> None:
    """The ids of the newest matches come from the message table alone; only those rows are
    then loaded with their conversations (a joined search sorted every match first)."""
    from django.test.utils import CaptureQueriesContext

    older = [conversation_of(body=f"refund number {n}") for n in range(3)]
    newest = conversation_of(body="refund please")
    with CaptureQueriesContext(connection) as queries:
        hits = search_messages(query="refund", limit=2)
    assert [m.conversation_id for m in hits] == [newest.pk, older[-1].pk]
    assert hits[0].conversation.pk == newest.pk  # loaded with the rows, no query per hit
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2, selects
    assert " JOIN " not in selects[0] and "LIMIT 2" in selects[0], selects[0]


@pg
def test_a_cheap_word_test_runs_before_the_vector_and_finds_the_same() -> None:
    """The match first asks whether the lower-cased body contains each plain word (cheap),
    then builds the vector: the same hits, any case, English and Chinese, several words."""
    from chat.search.messages import matching_messages, prefilter_words

    hits = {
        "Your WARRANTY Claim is open": True,
        "warranty? claim!": True,
        "claim only": False,
        "warranties claim": False,  # words, not substrings: the vector decides
    }
    for body in hits:
        conversation_of(body=body)
    conversation_of(body="保修期多久？我要保修")
    found = set(matching_messages("Warranty claim").values_list("body", flat=True))
    assert found == {body for body, hit in hits.items() if hit}
    assert list(matching_messages("保修").values_list("body", flat=True)) == [
        "保修期多久？我要保修"
    ]
    # Only words a body holds as they are get the test (no case beyond ASCII, no "_").
    assert prefilter_words("Straße foo_bar ORDER 订单 sku42") == ["order", "sku42", "订单"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = matching_messages("warranty claim").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "strpos(lower(body), 'warranty'::text) <> 0" in plan, plan


@pg
def test_the_lists_unread_count_reads_its_conversations_partition_only(ana: Any) -> None:
    from chat.statements import CONVERSATION_LIST

    conversation = conversation_of(body="hello")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + CONVERSATION_LIST, [ana.pk, [conversation.pk]])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "conversation_created_at = c.created_at" in plan, plan


SQLITE_SCRIPT = """
from chat.models import Message
from chat.search.messages import search_messages
from tests.factories import conversation_of, shopper_says
one = conversation_of(body="Where is my parcel?")
shopper_says(one.visitor, "hello")
two = conversation_of(body="你好，我想退货")
print([m.conversation_id == one.pk for m in search_messages(query="PARCEL")])
print([m.conversation_id == two.pk for m in search_messages(query="退货")])
print(len(search_messages(query="退货 parcel")))
print(len(search_messages(query='parcel" OR x*')))  # FTS5's operators stay words
Message.objects.filter(conversation=one).update(body="erased", search_text=None)
print(len(search_messages(query="parcel")), len(search_messages(query="erased")))
"""


@pytest.mark.embedded
def test_sqlite_embedded_default_searches_too(tmp_path: Any) -> None:
    """The embedded default (SQLite) migrates and finds English and Chinese words through its
    FTS5 table, kept in step with edits; a migration that rebuilt the messages' table (and so
    dropped the triggers) gets them back at the next ``migrate``."""
    import sqlite3
    import subprocess
    import sys

    from tests.procs import ROOT, embedded_env

    env = embedded_env(tmp_path)
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SQLITE_SCRIPT], **run)
    assert out.stdout.splitlines()[-5:] == ["[True]", "[True]", "0", "0", "0 2"], (
        out.stdout + out.stderr
    )
    with sqlite3.connect(env["SQLITE_PATH"]) as db:
        db.execute("DROP TRIGGER message_fts_insert")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    script = "from chat.search.messages import search_messages as s; " + (
        "from tests.factories import conversation_of as c; c(body='late words'); "
        "print(len(s(query='late')))"
    )
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], **run)
    assert out.stdout.splitlines()[-1] == "1", out.stdout + out.stderr


SQLITE_LIST_SCRIPT = """
import json
from chat.models import Label
from chat.selectors import conversation_counts_for_agent, conversations_for_agent
from tests.factories import conversation_of, make_agent, shopper_says
ana = make_agent("ana")
one = conversation_of(body="Where is my parcel?")
shopper_says(one.visitor, "hello")
two = conversation_of(body="hi")
Label.objects.create(name="vip").conversations.add(one)
rows = conversations_for_agent(user=ana, status=None)
found = conversations_for_agent(user=ana, status=None, search="parcel")
print(json.dumps([
    [r.pk == p for r, p in zip(rows, [two.pk, one.pk])],
    [r.unread for r in rows],
    [[x.name for x in r._prefetched_objects_cache["labels"]] for r in rows],
    [r.pk == one.pk for r in found],
    conversation_counts_for_agent(user=ana),
]))
"""


@pytest.mark.embedded
def test_sqlite_lists_with_unread_labels_and_counts(tmp_path: Any) -> None:
    """The list on the embedded default (the ORM's reads where PostgreSQL has fixed
    statements): its order, each row's unread count and labels, a search, the tab counts."""
    import json
    import subprocess
    import sys

    from tests.procs import ROOT, embedded_env

    run = {"cwd": ROOT, "env": embedded_env(tmp_path), "check": True, "capture_output": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SQLITE_LIST_SCRIPT], text=True, **run
    )
    assert json.loads(out.stdout.splitlines()[-1]) == [
        [True, True],
        [1, 2],
        [[], ["vip"]],
        [True],
        {"mine": 0, "unassigned": 2, "all": 2},
    ]


@pg
def test_backfill_fills_stored_chinese_messages_and_index_build_is_rerunnable() -> None:
    """What migration 0018 does to messages stored before it: Chinese rows get their words,
    English rows stay NULL; building the index again (after an interruption) is a no-op."""
    from chat.search.index import backfill, create_index

    zh = conversation_of(body="我想退货")
    en = conversation_of(body="plain words")
    Message.objects.all().update(search_text=None)  # as before the migration
    with connection.cursor() as cursor:
        assert backfill(cursor, batch=1) == 1
        create_index(cursor)
    rows = dict(Message.objects.values_list("conversation_id", "search_text"))
    assert rows[en.pk] is None and "退货" in (rows[zh.pk] or "").split()
    assert [m.conversation_id for m in search_messages(query="退货")] == [zh.pk]
