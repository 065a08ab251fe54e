"""What the agent reads of an email: the new text only (quoted history and signature cut by
mail-parser-reply, a maintained reply parser with rules for many mail clients and
languages), and the HTML sanitised by nh3 (the Ammonia sanitiser) for showing the original.

Plain text is preferred; an HTML-only mail is turned into text after its quoted blocks
(Gmail's ``gmail_quote``, Apple's and Thunderbird's ``blockquote type=cite``, Outlook's
reply header) are removed.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

import nh3
from mailparser_reply import EmailReplyParser

# Languages whose reply headers ("On … wrote:", "在 … 写道：", "Am … schrieb:") are known.
_LANGUAGES = ["en", "zh", "de", "fr", "es", "it", "nl", "ja", "ko", "pl", "sv", "da", "cs"]
_PARSER = EmailReplyParser(languages=_LANGUAGES)

# A line introducing a quote that the parser's header rules miss (e.g. Gmail in Chinese:
# "在 2026年3月3日周二 10:00，客服 <x@y> 写道："), when only quoted lines follow it.
_ATTRIBUTION = re.compile(
    r"^.{0,200}(wrote|写道|寫道|schrieb|a écrit|escribió|ha scritto)\s*[:：]\s*$", re.I
)

# Shown without images (remote images track the reader) or styles; links open elsewhere.
_SAFE_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"}


def sanitize_html(html: str) -> str:
    """Email HTML made safe to show in the workspace: no scripts, handlers, styles, remote
    images or unknown schemes (nh3's allow-lists)."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=_SAFE_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title") and self.skip:
            self.skip -= 1
        if tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


_QUOTE_BLOCKS = re.compile(
    r"<(div|blockquote)[^>]*(gmail_quote|type=\"?cite\"?|divRplyFwdMsg|moz-cite-prefix|"
    r"yahoo_quoted|OutlookMessageHeader)[^>]*>.*",
    re.I | re.S,
)


def html_to_text(html: str, *, drop_quotes: bool = True) -> str:
    """The readable text of an HTML mail; with ``drop_quotes``, without the quoted history."""
    if drop_quotes:
        html = _QUOTE_BLOCKS.sub("", html)
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = html_lib.unescape("".join(parser.out))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _drop_trailing_quote(text: str) -> str:
    lines = text.rstrip().splitlines()
    end = len(lines)
    while end and (lines[end - 1].lstrip().startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end == len(lines):
        return text
    if end and _ATTRIBUTION.match(lines[end - 1].strip()):
        end -= 1
    return "\n".join(lines[:end]).rstrip()


def reply_text(text: str, html: str = "") -> str:
    """The new part of a reply: what the sender wrote above the quoted mail, without the
    signature. Falls back to the whole text when nothing is left (a mail that is all quote)."""
    source = text if text.strip() else html_to_text(html)
    source = source.replace("\r\n", "\n").replace("\x00", "")
    if not source.strip():
        return ""
    try:
        reply = _PARSER.read(source)
        latest = reply.replies[0].body if reply.replies else source
    except Exception:  # a parser failure must never lose the mail: keep the whole text
        latest = source
    latest = _drop_trailing_quote(latest or "")
    return latest.strip() or source.strip()
