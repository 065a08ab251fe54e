"""The shop's glossary: words a translation leaves as they are (product names, brands).

The text is cut into segments; protected ones are sent wrapped in markup every provider
keeps untouched (LibreTranslate: ``<span translate="no">`` with ``format=html``; DeepL:
``<x>`` in ``ignore_tags``; a chat model: told to copy ``<x>`` elements). The providers'
answer is markup too; ``plain_text`` turns it back into text. After the call, every protected
term is checked for in the result: a provider that changed one anyway gets its output
corrected by putting the terms back in order of the markers it kept.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from chat.models import GlossaryTerm


@dataclass(frozen=True)
class Segment:
    text: str
    protected: bool


def glossary_pattern(terms: list[tuple[str, bool]]) -> re.Pattern[str] | None:
    """One regex matching any term (longest first), case-insensitive where asked, on word
    boundaries for terms that start or end with a word character."""
    if not terms:
        return None
    parts = []
    for term, case_sensitive in sorted(terms, key=lambda t: -len(t[0])):
        body = re.escape(term)
        if term[:1].isalnum() and term[:1].isascii():
            body = r"(?<!\w)" + body
        if term[-1:].isalnum() and term[-1:].isascii():
            body = body + r"(?!\w)"
        parts.append(body if case_sensitive else f"(?i:{body})")
    return re.compile("|".join(parts))


def glossary_terms() -> list[tuple[str, bool]]:
    return list(GlossaryTerm.objects.values_list("term", "case_sensitive"))


def segments(text: str, pattern: re.Pattern[str] | None) -> list[Segment]:
    """``text`` cut into plain and protected (glossary) segments, in order."""
    if pattern is None:
        return [Segment(text, False)]
    found: list[Segment] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            found.append(Segment(text[at : match.start()], False))
        found.append(Segment(match.group(0), True))
        at = match.end()
    if at < len(text):
        found.append(Segment(text[at:], False))
    return found


def markup(parts: list[Segment], *, open_tag: str, close_tag: str) -> str:
    """The segments as escaped markup, protected ones inside ``open_tag``…``close_tag``."""
    out = []
    for part in parts:
        escaped = html.escape(part.text, quote=False)
        out.append(f"{open_tag}{escaped}{close_tag}" if part.protected else escaped)
    return "".join(out)


_PROTECTED = re.compile(r"<(span|x)\b[^>]*>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_text(translated: str, parts: list[Segment]) -> str:
    """A provider's markup answer as text, with each protected element's content replaced
    by the original term (in order), whatever the provider did inside it."""
    terms = iter([p.text for p in parts if p.protected])

    def keep(match: re.Match[str]) -> str:
        term = next(terms, None)
        return html.escape(term, quote=False) if term is not None else match.group(2)

    text = _PROTECTED.sub(keep, translated)
    return html.unescape(_TAG.sub("", text))
