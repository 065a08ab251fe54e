"""Masking of card numbers and similar long digit runs in shoppers' messages, before they are
stored: a shopper who pastes a card number into the chat must not leave it in the database,
in exports or in agents' screens.

A run of 13 or more digits (spaces, dots or dashes between groups allowed, as people type
card numbers) keeps only its last four digits. Shorter runs — order numbers, phone numbers,
postcodes — are left alone.
"""

from __future__ import annotations

import re

MIN_DIGITS = 13
MASK = "•"
# Digits with single separators between them; the lookarounds keep it from starting or ending
# inside a longer alphanumeric token's digit run.
_RUN = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){12,}(?![0-9])")


def _mask(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < MIN_DIGITS:
        return text
    keep = 4
    seen = 0
    out = []
    for ch in reversed(text):
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep else MASK)
        else:
            out.append(ch)
    return "".join(reversed(out))


def redact_sensitive(text: str) -> str:
    """``text`` with every long digit run masked except its last four digits."""
    if len(text) < MIN_DIGITS:
        return text
    return _RUN.sub(_mask, text)
