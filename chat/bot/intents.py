"""What a shopper's message asks for, before any knowledge-base lookup: a person, or their order."""

from __future__ import annotations

import re
import unicodedata

from .matching.text import normalize

_HUMAN_ZH = re.compile(r"人工|真人|转接|客服人员|找客服|联系客服|叫客服|活人|人类客服")
_HUMAN_EN = re.compile(
    r"\b(?:human|agent|operator|representative|rep|real person|live person|live chat|"
    r"(?:talk|speak|chat) (?:to|with) (?:a |an |someone|somebody|person|people|staff|support)"
    r"|customer service|someone real)\b"
)
# "the agent said …" is rare in a shop chat; asking "are you a bot" is a request in practice.
_BOT_QUESTION = re.compile(r"\bare you (?:a )?(?:bot|robot|machine|real)\b|机器人")

# A way back to the shopper: a person answers those, never the knowledge base ("Please call me
# back" was once answered with the return policy).
_CALLBACK_EN = re.compile(
    r"\b(?:call|ring|phone|text|email|e-mail|contact|reach) me\b"
    r"|\bget back to me\b|\bcall ?back\b|\bmy (?:phone|mobile|cell|number|email|e-mail|whatsapp)"
    r"(?: number| address)? is\b"
)
_CALLBACK_ZH = re.compile(
    r"回电|回个电话|回我电话|给我(?:打|回)?(?:个)?电话|打我电话|打给我|联系我|回复我邮件|发邮件给我"
    r"|我的(?:电话|手机|手机号|号码|邮箱|微信)(?:是|:)"
)
# Closing an account or erasing one's data: a person checks who asks and does it (the privacy
# erase); "delete my account" was answered with the password entry, which shares "account".
_CLOSE_ACCOUNT_EN = re.compile(
    r"\b(?:delete|close|remove|deactivate|terminate|erase|wipe)\s+(?:all\s+)?(?:of\s+)?"
    r"(?:my\s+|the\s+|this\s+|our\s+)?(?:customer\s+|user\s+|shop\s+|whole\s+)?"
    r"(?:account|profile|personal (?:data|info\w*|details)|data)\b"
    r"|\b(?:account|profile|data) (?:to be |be )?(?:deleted|closed|removed|erased|deactivated)\b"
    r"|\b(?:account|data) (?:deletion|removal|erasure|closure)\b|\bgdpr\b|\bright to be forgotten\b"
)
_CLOSE_ACCOUNT_ZH = re.compile(
    r"注销.{0,4}(?:账|帐|会员|用户)|(?:账|帐)(?:号|户).{0,6}(?:注销|删除|删掉|删了|清除)"
    r"|(?:删除|删掉|清除|抹掉).{0,6}(?:账号|账户|帐号|帐户|个人信息|个人资料|个人数据|我的数据)"
)
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}")
# A phone number: "+" and 7+ digits, a Chinese mobile number, or 7+ digits after a phone word.
_PHONE = re.compile(
    r"\+\d[\d ()-]{6,}\d"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|(?:\b(?:phone|mobile|cell|tel|whatsapp)|(?<!order )(?<!tracking )\bnumber|电话|手机"
    r"|(?<![订单])号码)\D{0,12}\d[\d ()-]{5,}\d"
)
_ORDER_EN = re.compile(
    r"\b(?:where(?:'s| is)?|track(?:ing)?|status|when will|has|did|what happened)\b.{0,40}"
    r"\b(?:my )?(?:order|package|parcel|shipment|delivery)\b"
    r"|\bmy (?:order|package|parcel|shipment)\b.{0,30}\b(?:arriv\w*|ship\w*|status|where|"
    r"late|come|coming|deliver\w*|lost|missing|stuck)\b"
    r"|\border (?:status|number)\b"
)
_ORDER_ZH = re.compile(
    r"(?:订单|快递|包裹|物流|货|单号).{0,8}(?:到哪|在哪|到了没|什么时候到|状态|进度|查|发了没|发货了吗|怎么还没)"
    r"|(?:查|查询|查一下).{0,4}(?:订单|物流|快递|包裹)"
    r"|我的(?:订单|快递|包裹)"
)
# An order number: an optional # or short letter prefix, then at least four digits.
_ORDER_NUMBER = re.compile(
    r"(?<![a-z0-9-])#?((?:[a-z]{1,4}-?)?\d{4,20})(?![a-z0-9-])", re.IGNORECASE
)


def wants_human(text: str) -> bool:
    """The shopper asks for a person ("人工", "转人工", "human", "agent", "talk to a person"…),
    or to be called back, or leaves contact details (``leaves_contact``), or asks to close
    their account or erase their data (``asks_to_close_account``)."""
    text = normalize(text)
    return bool(
        _HUMAN_ZH.search(text)
        or _HUMAN_EN.search(text)
        or _BOT_QUESTION.search(text)
        or _leaves_contact(text)
        or _CLOSE_ACCOUNT_EN.search(text)
        or _CLOSE_ACCOUNT_ZH.search(text)
    )


def asks_to_close_account(text: str) -> bool:
    """The shopper asks to delete or close their account or erase their personal data: a
    person verifies and does it; the knowledge base (the password entry) never answers."""
    text = normalize(text)
    return bool(_CLOSE_ACCOUNT_EN.search(text) or _CLOSE_ACCOUNT_ZH.search(text))


def leaves_contact(text: str) -> bool:
    """The shopper asks to be called, mailed or contacted back, or gives an email address or a
    phone number: a person answers, never the knowledge base."""
    return _leaves_contact(normalize(text))


def _leaves_contact(text: str) -> bool:
    return bool(
        _CALLBACK_EN.search(text)
        or _CALLBACK_ZH.search(text)
        or _EMAIL.search(text)
        or _PHONE.search(text)
    )


def order_numbers(text: str) -> list[str]:
    """Candidate order numbers in the text, as typed (without a leading #)."""
    # Case kept: shops match their numbers exactly ("SO-1001").
    folded = unicodedata.normalize("NFKC", text)
    return list(dict.fromkeys(m.group(1) for m in _ORDER_NUMBER.finditer(folded)))


def asks_about_order(text: str) -> bool:
    """A question about the shopper's own order(s): where it is, its status, its tracking."""
    text = normalize(text)
    return bool(_ORDER_EN.search(text) or _ORDER_ZH.search(text))
