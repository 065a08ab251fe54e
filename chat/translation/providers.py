"""Translation providers behind one interface, chosen by the environment
(``HELPDESK_TRANSLATION``, docs/translation.md): a self-hosted LibreTranslate, DeepL, or any
OpenAI-compatible chat endpoint. None configured: translation is off.

Every provider takes the text as glossary segments (chat/translation/glossary.py) and
languages as the desk's ISO 639-1 codes (``zh`` is Simplified Chinese), and returns plain
text or raises ``TranslationError``. Calls are bounded by ``TIMEOUT``; retrying is the
task's business, not the provider's.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Protocol

import requests
from django.conf import settings

from .glossary import Segment, markup, plain_text


class TranslationError(Exception):
    """The provider did not translate: down, slow, refused the key or the language."""


class Provider(Protocol):
    name: str

    def translate(self, parts: list[Segment], *, source: str, target: str) -> str: ...


LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Simplified Chinese",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "ja": "Japanese",
    "ko": "Korean",
    "ar": "Arabic",
    "tr": "Turkish",
    "pl": "Polish",
    "vi": "Vietnamese",
    "th": "Thai",
    "id": "Indonesian",
}


def _post(url: str, **kwargs: Any) -> requests.Response:
    timeout = float(settings.HELPDESK_TRANSLATION["TIMEOUT"])
    try:
        response = requests.post(url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise TranslationError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if response.status_code != 200:
        raise TranslationError(f"HTTP {response.status_code}: {response.text[:200]}")
    return response


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise TranslationError("The provider's answer is not JSON.") from exc


class LibreTranslate:
    """LibreTranslate's HTTP API: ``POST /translate`` with ``q``, ``source``, ``target``,
    ``format`` and ``api_key``; ``GET /languages`` names the codes the server has (newer
    servers call Chinese ``zh-Hans``, older ones ``zh``), read once per process per hour."""

    name = "libretranslate"
    CODES_TTL = 3600.0

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key
        self._codes: tuple[float, set[str]] = (0.0, set())
        self._lock = threading.Lock()

    def codes(self) -> set[str]:
        with self._lock:
            at, codes = self._codes
            if codes and time.monotonic() - at < self.CODES_TTL:
                return codes
        timeout = float(settings.HELPDESK_TRANSLATION["TIMEOUT"])
        try:
            response = requests.get(f"{self.url}/languages", timeout=timeout)
        except requests.RequestException as exc:
            raise TranslationError(f"{type(exc).__name__}: {exc}"[:300]) from exc
        if response.status_code != 200:
            raise TranslationError(f"HTTP {response.status_code} from /languages")
        data = _json(response)
        codes = {str(item.get("code")) for item in data if isinstance(item, dict)}
        with self._lock:
            self._codes = (time.monotonic(), codes)
        return codes

    def code(self, language: str) -> str:
        codes = self.codes()
        candidates = ["zh-Hans", "zh"] if language == "zh" else [language]
        for candidate in candidates:
            if candidate in codes:
                return candidate
        raise TranslationError(f"LibreTranslate has no {language!r}.")

    def translate(self, parts: list[Segment], *, source: str, target: str) -> str:
        text = markup(parts, open_tag='<span translate="no">', close_tag="</span>")
        payload = {
            "q": text,
            "source": self.code(source),
            "target": self.code(target),
            "format": "html",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        data = _json(_post(f"{self.url}/translate", json=payload))
        translated = data.get("translatedText") if isinstance(data, dict) else None
        if not isinstance(translated, str):
            raise TranslationError("LibreTranslate's answer has no translatedText.")
        return plain_text(translated, parts)


class DeepL:
    """DeepL's API v2: ``POST /v2/translate`` with ``Authorization: DeepL-Auth-Key``, XML tag
    handling and the glossary's ``<x>`` in ``ignore_tags``. A free key (``…:fx``) talks to
    api-free.deepl.com unless ``TRANSLATION_URL`` says otherwise."""

    name = "deepl"
    TARGETS = {"en": "EN-US", "zh": "ZH-HANS", "pt": "PT-BR"}

    def __init__(self, url: str, api_key: str) -> None:
        if not api_key:
            raise TranslationError("DeepL needs TRANSLATION_API_KEY.")
        default = (
            "https://api-free.deepl.com" if api_key.endswith(":fx") else "https://api.deepl.com"
        )
        self.url = url or default
        self.api_key = api_key

    def translate(self, parts: list[Segment], *, source: str, target: str) -> str:
        text = markup(parts, open_tag="<x>", close_tag="</x>")
        payload = {
            "text": [text],
            "source_lang": source.upper(),
            "target_lang": self.TARGETS.get(target, target.upper()),
            "tag_handling": "xml",
            "ignore_tags": ["x"],
        }
        data = _json(
            _post(
                f"{self.url}/v2/translate",
                json=payload,
                headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
            )
        )
        try:
            translated = data["translations"][0]["text"]
        except (KeyError, IndexError, TypeError) as exc:
            raise TranslationError("DeepL's answer has no translation.") from exc
        return plain_text(str(translated), parts)


class OpenAICompatible:
    """Any OpenAI-compatible ``POST /chat/completions`` (``TRANSLATION_URL`` is the base,
    e.g. ``https://api.openai.com/v1`` or a local server's ``/v1``)."""

    name = "openai"
    PROMPT = (
        "You translate customer-service chat messages from {source} to {target}. Answer with "
        "the translation only. Copy every <x>…</x> element unchanged, tags included: those "
        "are product and brand names. Keep HTML entities as they are."
    )

    def __init__(self, url: str, api_key: str, model: str) -> None:
        if not url or not model:
            raise TranslationError(
                "An OpenAI-compatible provider needs TRANSLATION_URL and _MODEL."
            )
        self.url, self.api_key, self.model = url, api_key, model

    def translate(self, parts: list[Segment], *, source: str, target: str) -> str:
        text = markup(parts, open_tag="<x>", close_tag="</x>")
        prompt = self.PROMPT.format(
            source=LANGUAGE_NAMES.get(source, source), target=LANGUAGE_NAMES.get(target, target)
        )
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": text},
            ],
        }
        data = _json(_post(f"{self.url}/chat/completions", json=payload, headers=headers))
        try:
            translated = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise TranslationError("The chat endpoint's answer has no message.") from exc
        if not isinstance(translated, str) or not translated.strip():
            raise TranslationError("The chat endpoint answered with nothing.")
        return plain_text(translated.strip(), parts)


_cache: tuple[str, Provider | None] = ("", None)
_cache_lock = threading.Lock()


def provider() -> Provider | None:
    """The configured provider, or None: translation is off. Built once per configuration."""
    global _cache
    conf = settings.HELPDESK_TRANSLATION
    key = json.dumps([conf["PROVIDER"], conf["URL"], conf["API_KEY"], conf["MODEL"]])
    with _cache_lock:
        if _cache[0] == key:
            return _cache[1]
    kind = conf["PROVIDER"]
    built: Provider | None
    if not kind:
        built = None
    elif kind == "libretranslate":
        if not conf["URL"]:
            raise TranslationError("LibreTranslate needs TRANSLATION_URL.")
        built = LibreTranslate(conf["URL"], conf["API_KEY"])
    elif kind == "deepl":
        built = DeepL(conf["URL"], conf["API_KEY"])
    elif kind == "openai":
        built = OpenAICompatible(conf["URL"], conf["API_KEY"], conf["MODEL"])
    else:
        raise TranslationError(
            f"TRANSLATION_PROVIDER {kind!r}: expected libretranslate, deepl or openai."
        )
    with _cache_lock:
        _cache = (key, built)
    return built


def translation_enabled() -> bool:
    """Whether any provider is set (no query, no network): the message path asks this."""
    return bool(settings.HELPDESK_TRANSLATION["PROVIDER"])
