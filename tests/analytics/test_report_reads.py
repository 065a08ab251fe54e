"""The report reads made fast for the 100k-conversation bench keep their exact answers:
per-agent percentiles read in index order, hot-question samples and counts ranked in SQL."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from analytics import services as analytics_services
from analytics.dialects import percentile_cont
from analytics.models import ALL, Fact, QuestionDaily, QuestionFact
from analytics.questions import topic_key
from analytics.selectors import ReportFilter, agents_table, hot_questions
from analytics.selectors.questions import SAMPLE, TOP_KEYS, _counts
from tests.factories import T0

pytestmark = pytest.mark.django_db

WEEK = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6), compare=False)


def test_agent_percentiles_are_exact_per_agent() -> None:
    rng = random.Random(7)
    facts = []
    for i in range(600):
        agent_id = [None, 21, 22, 23][i % 4]
        for kind in (Fact.Kind.AGENT_FIRST_RESPONSE, Fact.Kind.REPLY_WAIT, Fact.Kind.RESOLVED):
            seconds = round(rng.lognormvariate(4, 1), 1)  # ties too
            facts.append(
                Fact(
                    kind=kind,
                    at=T0 + dt.timedelta(minutes=7 * i),
                    team_id=1,
                    agent_id=agent_id,
                    seconds=seconds,
                    bh_seconds=seconds / 2,
                )
            )
    Fact.objects.bulk_create(facts)
    analytics_services.rollup_rebuild()
    for bh in (False, True):
        f = ReportFilter(start=WEEK.start, end=WEEK.end, compare=False, business_hours=bh)
        rows = {r["agent_id"]: r for r in agents_table(f)}
        for agent_id in (21, 22, 23):
            for kind, name in (
                (Fact.Kind.AGENT_FIRST_RESPONSE, "first_response"),
                (Fact.Kind.REPLY_WAIT, "reply_wait"),
            ):
                values = sorted(
                    x.bh_seconds if bh else x.seconds
                    for x in facts
                    if x.agent_id == agent_id and x.kind == kind
                )
                assert rows[agent_id][f"{name}_median"] == pytest.approx(
                    percentile_cont(values, 0.5), abs=1e-9
                )
                assert rows[agent_id][f"{name}_p90"] == pytest.approx(
                    percentile_cont(values, 0.9), abs=1e-9
                )


def test_cluster_samples_are_the_clusters_newest_questions() -> None:
    """A cluster of several topic keys with more than SAMPLE questions each: the examples and
    products come from the cluster's newest SAMPLE questions over all its keys (ties on the
    time broken by text, then products, newest-first as the page sorts them)."""
    texts = [
        "is the kettle dishwasher safe",
        "kettle dishwasher safe please",
        "is kettle dishwasher safe blue",
        "kettle safe dishwasher 可以",
    ]
    rows = []
    for i in range(3 * SAMPLE):
        text = texts[i % len(texts)]
        rows.append(
            QuestionFact(
                at=T0 + dt.timedelta(minutes=i // 3),  # three questions per minute: ties
                text=f"{text} {chr(ord('a') + i % 5)}",
                topic_key=topic_key(text),
                products=str(1 + i % 4) + ("," + str(5 + i % 3) if i % 2 else ""),
            )
        )
    QuestionFact.objects.bulk_create(rows)
    analytics_services.rollup_rebuild()

    (cluster,) = hot_questions(WEEK)["clusters"]
    assert sorted(cluster["members"]) == sorted({topic_key(t) for t in texts})
    newest = sorted(((r.at, r.text, r.products) for r in rows), reverse=True)[:SAMPLE]
    examples: list[str] = []
    for _at, text, _p in newest:
        if text not in examples:
            examples.append(text)
    assert cluster["examples"] == examples[:3]
    counts = Counter(int(p) for _a, _t, ps in newest for p in ps.split(","))
    assert cluster["products"] == [f"#{p}" for p, _n in counts.most_common(3)]


def test_question_counts_rank_both_periods_in_one_read() -> None:
    """The hot-question counts (``_counts``: both periods, entries and topics in one query)
    keep each list's TOP_KEYS busiest, ties by entry id / topic key, the previous period's
    rows apart from the current one's, one team's rows apart from the all-teams rows."""
    current = WEEK
    previous = current.previous()
    rows = []
    for period, base in ((current, 0), (previous, 7)):
        for team in (ALL, 5):
            for i in range(TOP_KEYS + 30):
                # Counts tie in runs of three across the TOP_KEYS cut.
                day = period.start + dt.timedelta(days=i % 7)
                n = base + 1000 - i // 3
                rows.append(
                    QuestionDaily(zone="UTC", day=day, team_id=team, topic_key=f"k{i:03d}", count=n)
                )
            for e in range(40):  # entries tie in pairs
                day = period.start + dt.timedelta(days=e % 7)
                rows.append(
                    QuestionDaily(
                        zone="UTC", day=day, team_id=team, kb_entry_id=900 - e, count=1 + e // 2
                    )
                )
    QuestionDaily.objects.bulk_create(rows)
    f = ReportFilter(start=current.start, end=current.end, time_zone="UTC")
    (entries, topics), (prev_entries, prev_topics) = _counts(f)
    for got, base in ((topics, 0), (prev_topics, 7)):
        expected = sorted(
            ((base + 1000 - i // 3, f"k{i:03d}") for i in range(TOP_KEYS + 30)),
            key=lambda x: (-x[0], x[1]),
        )
        assert list(got.items()) == [(k, n) for n, k in expected[:TOP_KEYS]]
    expected_entries = sorted(
        ((900 - e, 1 + e // 2) for e in range(40)), key=lambda x: (-x[1], x[0])
    )
    assert list(entries.items()) == expected_entries == list(prev_entries.items())
    one_team = ReportFilter(start=f.start, end=f.end, time_zone="UTC", compare=False, team_id=5)
    assert _counts(one_team) == [(entries, topics)]
    other = ReportFilter(start=f.start, end=f.end, time_zone="UTC", team_id=6)
    assert _counts(other) == [({}, {}), ({}, {})]
