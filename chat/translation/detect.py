"""Which language a chat message is in, offline.

Lingua (lingua-language-detector, Apache-2.0) ships its n-gram models in the wheel and is
the most accurate maintained detector on short texts. It is restricted to the desk's
languages (``chat.models.translation.TRANSLATION_LANGUAGES``): fewer candidates, fewer
confusions, less memory (about 300 MB resident with the 17 models loaded, so it is built
lazily and only where messages are translated: the Celery worker).

Chat is not what detectors are trained on, so three rules come first:

- Scripts decide where they can: kana is Japanese, Hangul Korean, Thai script Thai. Chinese
  mixed with English product names ("我的iPhone什么时候到") is Chinese when its Han characters
  outnumber the Latin words; a Chinese word in an English sentence leaves it English.
- Words that carry no language (links, e-mail addresses, order numbers, emoji) are removed.
- A text too short to tell ("ok", "hi", "danke") or where the best two languages are close
  gives ``None``: the caller falls back to the conversation's known language rather than
  translating on a guess. bench/translation_detect.py measures this on a labelled set.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
_LETTER_WORD = re.compile(r"[^\W\d_]+")

# Fewer letters than this (outside Chinese/Japanese/Korean) and nothing is guessed.
MIN_LETTERS = 4
# Lingua's relative confidence: the best must reach this and be this many times the second
# ("danke" is 0.42 German to 0.40 Dutch; "Do you ship to Canada?" 0.27 English to 0.13).
MIN_CONFIDENCE = 0.2
MIN_RATIO = 1.6

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    from chat.models.translation import TRANSLATION_LANGUAGES

    codes = [getattr(IsoCode639_1, code.upper()) for code, _label in TRANSLATION_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detector() -> Any:
    with _lock:
        return _detector()


def script_language(text: str) -> str | None:
    """The language the script alone tells (Japanese, Korean, Chinese, Thai), or None; no
    models, so callable where loading the detector would cost a web process 300 MB."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    han = len(_HAN.findall(text))
    if han:
        latin_words = len(_LATIN_WORD.findall(text))
        return "zh" if han >= latin_words else None
    if len(_THAI.findall(text)) >= 2:
        return "th"
    return None


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language (``zh`` for Chinese), or None when the text
    is too short or too ambiguous to tell."""
    text = _URL.sub(" ", text)
    by_script = script_language(text)
    if by_script is not None:
        return by_script
    if _HAN.search(text):
        # Mostly Latin words with a few Han characters: judge the Latin part alone.
        text = _HAN.sub(" ", text)
    words = _LETTER_WORD.findall(text)
    if sum(len(w) for w in words) < MIN_LETTERS:
        return None
    values = detector().compute_language_confidence_values(" ".join(words))
    if not values:
        return None
    best = values[0]
    second = values[1].value if len(values) > 1 else 0.0
    if best.value < MIN_CONFIDENCE or best.value < MIN_RATIO * second:
        return None
    return str(best.language.iso_code_639_1.name.lower())
