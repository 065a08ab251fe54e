"""Demo canned replies: shared ones in English and Simplified Chinese, written with placeholder
fallbacks so they read well for an anonymous visitor too (docs/routing.md)."""

from __future__ import annotations

from collections.abc import Callable

from chat.models import CannedReply
from helpdesk.demo import register

# (shortcut, title, body); shortcuts are ASCII so the composer's "/" picker finds them as typed.
DEMO_REPLIES = (
    ("hi", "Greeting", "Hi {{customer.first_name|there}}, I'm {{agent.name}} — how can I help?"),
    (
        "sorry",
        "Apology",
        "Sorry about that, {{customer.first_name|there}} — I'm {{agent.name}} and I'll sort it "
        "out right away.",
    ),
    (
        "where",
        "Where is my order",
        "Your latest order ({{order.number|number to follow}}) is {{order.status|being "
        "checked}}. Tracking number: "
        "{{order.tracking_number|not available yet}}.",
    ),
    (
        "thanks",
        "Closing",
        "Thanks for shopping with us, {{customer.first_name|friend}}. Have a nice day!",
    ),
    ("zh-hi", "问候", "{{customer.first_name|您}}好，我是{{agent.name}}，请问有什么可以帮您？"),
    (
        "zh-sorry",
        "致歉",
        "非常抱歉，{{customer.first_name|亲}}，我是{{agent.name}}，马上为您处理。",
    ),
    (
        "zh-where",
        "订单在哪里",
        "您的订单（{{order.number|单号稍后告知}}）目前状态：{{order.status|查询中}}。"
        "物流单号：{{order.tracking_number|暂未生成}}。",
    ),
    ("zh-thanks", "结束语", "感谢您的光临，祝{{customer.first_name|您}}生活愉快！"),
)


@register(15, "canned replies")
def load_canned_replies(log: Callable[[str], None]) -> None:
    created = 0
    for shortcut, title, body in DEMO_REPLIES:
        _reply, new = CannedReply.objects.update_or_create(
            owner=None, shortcut=shortcut, defaults={"title": title, "body": body}
        )
        created += new
    log(f"  canned replies: {len(DEMO_REPLIES)} shared ({created} new) in English and Chinese")
