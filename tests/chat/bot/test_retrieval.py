"""Hybrid retrieval and the decision ladder, with each embedder backend: the in-process model
and an OpenAI-format ``/v1/embeddings`` server started here (down, slow, erroring: the bot
decides on words alone, logs and counts it, and the shopper's message is still answered)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chat.bot.matching import hybrid
from chat.bot.matching.embedder import (
    LocalE5Embedder,
    OpenAIEmbedder,
    current_embedder,
    embedder_failures,
)
from chat.bot.vectors import kb_vectors_compute
from chat.models import KnowledgeEntry, KnowledgeQuestion, Message
from tests.procs import free_port

pytestmark = pytest.mark.django_db

_model = LocalE5Embedder()


class EmbeddingsServer:
    """A local server speaking OpenAI's embeddings format, backed by the real e5 model.
    ``mode``: ``ok``, ``slow`` (answers after 0.6 s) or ``error`` (500)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.requests += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/v1/embeddings" or outer.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                if outer.mode == "slow":
                    time.sleep(0.6)
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                rows = _model.embed(texts)
                data = {
                    "object": "list",
                    "model": body["model"],
                    "data": [
                        {"object": "embedding", "index": i, "embedding": row.tolist()}
                        for i, row in enumerate(rows)
                    ],
                }
                payload = json.dumps(data).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the slow mode's point)

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[EmbeddingsServer]:
    srv = EmbeddingsServer()
    try:
        yield srv
    finally:
        srv.close()


def _small_kb() -> None:
    """Three English topics: enough to rank, quick to embed over HTTP."""
    for key, title, answer, phrasings in [
        (
            "shipping_time",
            "How long shipping takes",
            "Orders arrive in 2-4 working days.",
            ["How long does shipping take?", "When will my package arrive?"],
        ),
        (
            "returns",
            "Return policy",
            "Return unworn items within 30 days.",
            ["How do I return an item?", "Can I send it back?"],
        ),
        (
            "password",
            "Account and password",
            "Use 'Forgot password' on the sign-in page.",
            ["I forgot my password", "I can't log in to my account"],
        ),
    ]:
        entry = KnowledgeEntry.objects.create(key=key, title=title, answer=answer)
        for text in phrasings:
            KnowledgeQuestion.objects.create(entry=entry, text=text)


@pytest.fixture
def openai_backend(server: EmbeddingsServer, monkeypatch: Any) -> EmbeddingsServer:
    monkeypatch.setenv("HELPDESK_EMBEDDER", "openai")
    monkeypatch.setenv("HELPDESK_EMBEDDINGS_URL", server.url)
    monkeypatch.setenv("HELPDESK_EMBEDDINGS_MODEL", "e5-small-test")
    _small_kb()
    assert isinstance(current_embedder(), OpenAIEmbedder)
    assert kb_vectors_compute() == 9  # 3 titles + 6 phrasings, over HTTP
    return server


def _ladder(text: str, language: str = "en") -> None:
    """Whatever the question's confidence, thresholds around it give each outcome."""
    decision = hybrid.decide(text, language=language)
    assert decision.suggestions, text
    score = decision.score
    mode = "lexical" if decision.semantic is None else "hybrid"

    def at(answer: float, suggest: float) -> str:
        params = hybrid.Params(
            **{
                **hybrid.current_params().__dict__,
                "thresholds": {language: {mode: {"answer": answer, "suggest": suggest}}},
            }
        )
        index = hybrid.current_index()
        query = None
        if decision.semantic is not None:
            from chat.bot.matching.embedder import embed_question

            query = embed_question(text)
        return index.decide(text, language=language, query=query, params=params).decision

    assert at(score - 0.01, score - 0.02) == "answer"
    assert at(score + 0.01, score - 0.01) == "suggest"
    assert at(score + 0.02, score + 0.01) == "handover"


def test_ladder_with_the_in_process_model(kb: None) -> None:
    assert isinstance(current_embedder(), LocalE5Embedder)
    decision = hybrid.decide("if i order today when would it get here", language="en")
    assert decision.semantic is not None
    assert decision.decision == "answer"
    assert decision.entry is not None and decision.entry.key == "shipping_time"
    zh = hybrid.decide("可以开个发票吗", language="zh-hans")
    assert zh.decision == "answer" and zh.entry is not None and zh.entry.key == "invoice"
    # Two characters of evidence: the bot may ask, but the right entry comes first.
    short = hybrid.decide("能开票吗", language="zh-hans")
    assert short.decision != "handover" and short.suggestions[0].key == "invoice"
    # Nothing in the knowledge base answers these: never an answer.
    for text, language in [("what is the meaning of life", "en"), ("今天天气怎么样", "zh-hans")]:
        assert hybrid.decide(text, language=language).decision != "answer", text
    _ladder("when does my parcel come")
    _ladder("退货运费谁出", "zh-hans")


def test_ladder_with_an_openai_format_endpoint(openai_backend: EmbeddingsServer) -> None:
    before = openai_backend.requests
    decision = hybrid.decide("I lost my password and can't sign in", language="en")
    assert openai_backend.requests == before + 1  # the question, once; stored texts never
    assert decision.semantic is not None
    assert decision.suggestions[0].key == "password"
    _ladder("when does my parcel come")


@pytest.fixture
def deadline(settings: Any) -> None:
    settings.HELPDESK_BOT = {"ENABLED": True, "EMBED_TIMEOUT": 0.3}


@pytest.mark.parametrize("mode", ["down", "slow", "error"])
def test_a_failing_endpoint_leaves_words_alone(
    openai_backend: EmbeddingsServer, deadline: None, mode: str, caplog: Any
) -> None:
    if mode == "down":
        openai_backend.close()
    else:
        openai_backend.mode = mode
    failures = embedder_failures()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="chat.bot.matching.embedder"):
        decision = hybrid.decide("I forgot my password, how do I log in?", language="en")
    # The deadline is 300 ms; the slow server answers after 600 ms (the fallback must not wait
    # for it; 5 s leaves room for a loaded box).
    assert time.monotonic() - started < 5
    assert decision.semantic is None
    assert decision.suggestions[0].key == "password"
    assert embedder_failures() == failures + 1
    assert any("embedder unavailable" in r.getMessage() for r in caplog.records)


def test_shopper_is_answered_while_the_endpoint_is_down(
    openai_backend: EmbeddingsServer, visitor: Any, say: Any
) -> None:
    openai_backend.close()
    replies = say(visitor, "I forgot my password")
    assert [m.sender_kind for m in replies][:1] == [Message.SenderKind.BOT]
    answer = replies[0]
    assert answer.card["type"] in {"bot_answer", "bot_suggest", "bot_prompt"}
    assert answer.body  # the shopper sees an ordinary reply
    assert Message.objects.filter(conversation=answer.conversation).count() >= 2


def test_the_index_uses_only_vectors_of_the_current_model(kb: None, monkeypatch: Any) -> None:
    assert hybrid.current_index().model == LocalE5Embedder.name
    monkeypatch.setenv("HELPDESK_EMBEDDER", "off")
    index = hybrid.current_index()
    assert index.model is None
    decision = hybrid.decide("how do I reset my password", language="en")
    assert decision.semantic is None
    assert decision.suggestions[0].key == "password"


def _index(entries: dict[str, list[str]], out_of_scope: list[str]) -> hybrid.HybridIndex:
    texts = [t for phrasings in entries.values() for t in phrasings] + out_of_scope
    vectors = dict(zip(texts, _model.embed(texts), strict=True))
    return hybrid.HybridIndex(
        [
            hybrid.KBEntry(id=n, key=key, title=phrasings[0], language="en", texts=tuple(phrasings))
            for n, (key, phrasings) in enumerate(entries.items(), start=1)
        ],
        vectors,
        model=_model.name,
        out_of_scope={"en": out_of_scope},
    )


def test_a_question_nearer_an_out_of_scope_example_is_not_answered() -> None:
    # Thresholds at zero: without the rule, the best entry would always be the answer.
    params = hybrid.Params(thresholds={"en": {"hybrid": {"answer": 0.0, "suggest": 0.0}}})
    shipping = ["How long does shipping take?", "When will my package arrive?"]
    hours = ["what are your opening hours", "when is your shop open"]
    question = "what time does the store open on saturdays"
    query = _model.embed([question])[0]

    without = _index({"shipping_time": shipping}, [])
    decision = without.decide(question, language="en", query=query, params=params)
    assert decision.decision == "answer" and decision.entry is not None

    index = _index({"shipping_time": shipping}, hours)
    ev = index.languages["en"].evidence(question, query, params)
    assert ev.out_of_scope is not None and ev.out_of_scope_wins(0)
    decision = index.decide(question, language="en", query=query, params=params)
    assert decision.decision == "suggest" and decision.entry is None

    # A shop whose knowledge base does answer it: its entry is nearer, and it answers.
    covered = _index({"shipping_time": shipping, "hours": ["Opening hours", *hours]}, hours)
    decision = covered.decide(question, language="en", query=query, params=params)
    assert decision.decision == "answer" and decision.entry is not None
    assert decision.entry.key == "hours"


def test_an_entry_without_vectors_yet_answers_its_own_title() -> None:
    """An entry saved moments ago has no vectors until Celery stores them; its words stand in
    for its meaning, and a question that is one of its texts counts as semantic 1 (its BM25
    share alone, 0.42 here, lost to other entries' meaning under the fitted cosine range)."""
    title = "can you engrave my initials on the leather wallet"
    kb = {
        "invoice": ["Invoices", "Can I get an invoice?", "Where do I find my receipt?"],
        "coupon": ["Discount codes", "How do I use a coupon code?"],
        "exchange": ["Exchanges", "Can I exchange for a different size?"],
    }
    texts = [t for phrasings in kb.values() for t in phrasings]
    vectors = dict(zip(texts, _model.embed(texts), strict=True))
    entries = [
        hybrid.KBEntry(id=n, key=key, title=p[0], language="en", texts=tuple(p))
        for n, (key, p) in enumerate([*kb.items(), ("engrave", [title])], start=1)
    ]
    index = hybrid.HybridIndex(entries, vectors, model=_model.name, out_of_scope={})
    params = hybrid.Params.load()
    for asked in (title, "Can you engrave my initials on the leather wallet?"):
        decision = index.decide(asked, language="en", query=_model.embed([asked])[0], params=params)
        assert decision.decision == "answer" and decision.entry is not None
        assert decision.entry.key == "engrave" and decision.semantic == 1.0
    # Other words: its words stand in (semantic = lexical), not 1.
    other = "engrave initials on a wallet"
    ev = index.languages["en"].evidence(other, _model.embed([other])[0], params)
    assert ev.semantic is not None and float(ev.semantic[3]) == float(ev.lexical[3]) < 1.0


def test_the_out_of_scope_examples_are_stored_with_the_entries(kb: None) -> None:
    from chat.bot.vectors import kb_vectors_prune, text_digest, vectors_for
    from chat.models import KnowledgeVector

    examples = hybrid.out_of_scope_examples()
    assert set(examples) == {"en", "zh-hans"} and all(len(t) >= 20 for t in examples.values())
    assert len(vectors_for(hybrid.out_of_scope_texts(), model=_model.name)) == len(
        set(hybrid.out_of_scope_texts())
    )
    kb_vectors_prune()
    digests = {text_digest(t) for t in hybrid.out_of_scope_texts()}
    assert KnowledgeVector.objects.filter(digest__in=digests).count() == len(digests)
    index = hybrid.current_index()
    for language, texts in examples.items():
        matrix = index.languages[language].out_of_scope
        assert matrix is not None and matrix.shape == (len(texts), 384)


def test_cosines_of_the_candidates_decide_as_every_text_would() -> None:
    """Past a few dozen entries only the candidates' texts are compared with the question
    (hybrid.SEMANTIC_CANDIDATES): the decision is the one reading every stored vector gives."""
    import numpy as np

    rng = np.random.default_rng(3)
    entries, vectors = [], {}
    for n in range(300):
        texts = tuple(f"topic {n} way {j}" for j in range(1 + n % 5))
        for text in texts:
            v = rng.standard_normal(384).astype(np.float32)
            vectors[text] = v / np.linalg.norm(v)
        entries.append(
            hybrid.KBEntry(id=n + 1, key=f"k{n}", title=texts[0], language="en", texts=texts)
        )
    index = hybrid.HybridIndex(entries, vectors, model="test", out_of_scope={})
    language = index.languages["en"]
    assert len(language.entries) > language.semantic_candidates + hybrid.LEXICAL_CANDIDATES
    params = hybrid.Params(cos_low=0.0, cos_high=1.0)
    for n in range(0, 300, 13):
        noise = rng.standard_normal(384).astype(np.float32)
        query = vectors[entries[n].texts[-1]] + noise * (0.8 / np.linalg.norm(noise))
        query /= np.linalg.norm(query)
        text = f"a question on topic {n}"
        pruned = index.decide(text, language="en", query=query, params=params)
        language.semantic_candidates = 10**9
        every = index.decide(text, language="en", query=query, params=params)
        language.semantic_candidates = hybrid.SEMANTIC_CANDIDATES
        assert pruned == every
        assert pruned.suggestions[0].key == f"k{n}"


def test_a_question_asked_again_is_not_embedded_again(openai_backend: EmbeddingsServer) -> None:
    from chat.bot.matching.embedder import embed_question

    before = openai_backend.requests
    first = embed_question("is anyone there? asked twice in this test")
    again = embed_question("is anyone there? asked twice in this test")
    assert openai_backend.requests == before + 1
    assert again is first and not first.flags.writeable
    embed_question("a different question")
    assert openai_backend.requests == before + 2


def test_words_alone_with_no_shared_word_hand_over(kb: None, monkeypatch: Any) -> None:
    """Embedder off: a question that shares no word with any entry is handed over, whatever
    the fitted suggest threshold (the lexical calibration's zero-overlap confidence once sat
    exactly at the Chinese one, so 问一下 and 卡 came back as "did you mean"; 卡 is a word of
    the payment entries' phrasings since)."""
    monkeypatch.setenv("HELPDESK_EMBEDDER", "off")
    assert current_embedder() is None
    params = hybrid.current_params()
    index = hybrid.current_index()
    for text, language in [("问一下", "zh-hans"), ("嗯嗯", "zh-hans"), ("hmm ok", "en")]:
        ev = index.evidence(text, language, None)
        assert ev.semantic is None and float(ev.lexical.max()) == 0.0, text
        # Even a suggest threshold at (or under) the zero-overlap confidence suggests nothing.
        zero = hybrid.confidence(hybrid.features(ev, 0, hybrid._top(ev.fused, 4)), params, language)
        low = hybrid.Params(
            **{
                **params.__dict__,
                "thresholds": {language: {"lexical": {"answer": zero, "suggest": zero}}},
            }
        )
        decision = index.decide(text, language=language, params=low)
        assert decision.decision == "handover" and decision.entry is None, text
        assert hybrid.decide(text, language=language).decision == "handover", text
    # One shared word is evidence: the same low thresholds suggest or answer.
    low = hybrid.Params(
        **{
            **params.__dict__,
            "thresholds": {"zh-hans": {"lexical": {"answer": 0.99, "suggest": 0.0}}},
        }
    )
    shared = index.decide("开发票", language="zh-hans", params=low)
    assert shared.decision != "handover" and shared.suggestions[0].key == "invoice"


def test_each_language_has_its_own_calibration() -> None:
    """The same evidence is weighed by its language's weights (``Params.weights``): a right
    Chinese match shares fewer segmented words than an English one, so one pooled set of
    weights made Chinese answers timid (words alone: recall 0.25 on the test half)."""
    entries = [
        hybrid.KBEntry(id=1, key="invoice", title="Invoices", language="en", texts=("Invoices",)),
        hybrid.KBEntry(id=2, key="invoice", title="发票", language="zh-hans", texts=("发票",)),
    ]
    index = hybrid.HybridIndex(entries, {}, model=None, out_of_scope={})
    thresholds = {"answer": 0.5, "suggest": 0.1}
    params = hybrid.Params(
        lexical_only=[0.0, 0.0, -9.0],  # pooled: never confident
        weights={"zh-hans": {"lexical": [0.0, 0.0, 9.0]}},  # Chinese: always
        thresholds={lang: {"lexical": thresholds} for lang in ("en", "zh-hans")},
    )
    assert params.weights_for("zh-hans", "lexical") == [0.0, 0.0, 9.0]
    assert params.weights_for("en", "lexical") == [0.0, 0.0, -9.0]
    assert params.weights_for("en", "hybrid") == params.hybrid
    zh = index.decide("发票", language="zh-hans", params=params)
    assert zh.decision == "answer" and zh.score > 0.99
    en = index.decide("Invoices", language="en", params=params)
    assert en.decision == "handover" and en.score < 0.01


def test_the_out_of_scope_gap_is_evidence() -> None:
    """How much nearer the best entry's nearest text is than the nearest out-of-scope example
    is the fifth calibration feature (clipped to ±0.15); a calibration fitted before it (four
    weights and a bias) still decides, on the first four."""
    shipping = ["How long does shipping take?", "When will my package arrive?"]
    hours = ["what are your opening hours", "when is your shop open"]
    index = _index({"shipping_time": shipping}, hours)
    params = hybrid.Params.load()
    gaps = {}
    for question in ("how many days until my parcel gets here", "are you open on sundays"):
        query = _model.embed([question])[0]
        ev = index.languages["en"].evidence(question, query, params)
        feats = hybrid.features(ev, 0, hybrid._top(ev.fused, 4))
        assert ev.nearest is not None and ev.out_of_scope is not None
        expected = float(ev.nearest[0]) - ev.out_of_scope
        assert len(feats) == 5 and feats[4] == pytest.approx(max(-0.15, min(0.15, expected)))
        gaps[question] = feats[4]
    assert gaps["how many days until my parcel gets here"] > 0 > gaps["are you open on sundays"]
    # The fitted weights reward a positive gap: the same evidence further from the examples
    # is more confident.
    weights = params.weights_for("en", "hybrid")
    assert len(weights) == 6 and weights[4] > 0
    ev = index.languages["en"].evidence(
        "when will it arrive", _model.embed(["when will it arrive"])[0], params
    )
    feats = hybrid.features(ev, 0, hybrid._top(ev.fused, 4))
    near, far = [*feats[:4], -0.1], [*feats[:4], 0.1]
    assert hybrid.confidence(far, params, "en") > hybrid.confidence(near, params, "en")
    # Without stored examples the gap is neutral (0).
    bare = _index({"shipping_time": shipping}, [])
    ev = bare.languages["en"].evidence(
        "when will it arrive", _model.embed(["when will it arrive"])[0], params
    )
    assert hybrid.features(ev, 0, hybrid._top(ev.fused, 4))[4] == 0.0
    # An older calibration without the gap's weight decides on the first four features.
    old = hybrid.Params(hybrid=[1.0, 1.0, 1.0, 1.0, -2.0])
    assert hybrid.confidence(far, old) == hybrid.confidence(near, old)


def test_words_alone_weigh_the_out_of_scope_examples_words() -> None:
    """Without vectors the examples speak through their words: the third words-alone feature
    is the entry's lexical score minus the best example's ("do you ship pets" shares "ship"
    with shipping, and more with "can you send pets by post"); a two-weight calibration
    (fitted before it) still decides on the first two."""
    entries = [
        hybrid.KBEntry(
            id=1,
            key="shipping_international",
            title="International shipping",
            language="en",
            texts=("International shipping", "do you ship abroad"),
        )
    ]
    examples = ["can you send pets or live animals by post"]
    index = hybrid.HybridIndex(entries, {}, model=None, out_of_scope={"en": examples})
    params = hybrid.Params.load()
    gaps = {}
    for question in ("do you ship abroad to canada", "do you ship live pets"):
        ev = index.languages["en"].evidence(question, None, params)
        assert ev.semantic is None and ev.out_of_scope_lexical is not None
        feats = hybrid.features(ev, 0, hybrid._top(ev.fused, 4))
        assert len(feats) == 3
        assert feats[2] == pytest.approx(float(ev.lexical[0]) - ev.out_of_scope_lexical)
        gaps[question] = feats[2]
    assert gaps["do you ship abroad to canada"] > 0 > gaps["do you ship live pets"]
    weights = params.weights_for("en", "lexical")
    assert len(weights) == 4 and weights[2] > 0
    old = hybrid.Params(lexical_only=[1.0, 1.0, -2.0])
    assert hybrid.confidence([0.5, 0.1, -0.3], old) == hybrid.confidence([0.5, 0.1, 0.3], old)
    # Without examples the gap is the entry's own score (nothing to compare with).
    bare = hybrid.HybridIndex(entries, {}, model=None, out_of_scope={})
    ev = bare.languages["en"].evidence("do you ship live pets", None, params)
    assert ev.out_of_scope_lexical is None
    assert hybrid.features(ev, 0, hybrid._top(ev.fused, 4))[2] == float(ev.lexical[0])
