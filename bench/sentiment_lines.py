"""Shopper lines labelled for the bot's sentiment check.

Written fresh for this set, the way shoppers type in a shop's chat: complaints, neutral
questions that contain negative words (差几块钱能包邮, "is it bad to wash it hot"), sarcasm,
typos, and some thanks. None is taken from the sentiment lexicon's own examples.

Labels:

- ``angry``: the shopper is upset with the shop or the service; a person should take over.
- ``neutral``: a question or a statement of fact, even with a negative word in it; the bot
  must not hand over on it.
- ``positive``: thanks, praise.

``style`` says what the line tests: ``complaint``, ``sarcasm``, ``typo`` (an angry line with
misspellings), ``negword`` (neutral, with a negative-sounding word), ``plain`` (neutral),
``thanks``.

``split(lines)`` puts every other line of each (language, label, style) group in ``dev`` and
the rest in ``test``: a method is chosen and tuned on ``dev``; figures are reported on
``test`` (``bench/sentiment_eval.py``).
"""

from __future__ import annotations

from typing import NamedTuple


class Line(NamedTuple):
    text: str
    language: str  # "en" | "zh-hans"
    label: str  # "angry" | "neutral" | "positive"
    style: str


def _lines(language: str, label: str, style: str, texts: str) -> list[Line]:
    return [Line(t.strip(), language, label, style) for t in texts.strip().splitlines()]


LINES: list[Line] = [
    *_lines(
        "en",
        "angry",
        "complaint",
        """
This is the third time I am asking and nobody answers, I am done with this shop
You sent me the wrong size AGAIN, this is unacceptable
I want my money back right now, the jacket fell apart after one wash
Your courier threw my parcel over the fence and it got soaked, absolutely furious
Two weeks and still no refund. I will report you to my bank
Worst customer service I have ever dealt with
The shoes you sent are obviously used, there is mud on the soles. Disgusting
I was charged twice and nobody cares, what a joke of a company
Stop sending me copy paste answers and fix my order
I'm really angry, the package was marked delivered but I never got it
You promised delivery before the wedding and it never came. You ruined it
This is a scam, the product looks nothing like the photos
I have wasted a whole afternoon on your useless chat
Cancel everything, I never want to buy from you again
Your app took my money and gave me no order, I am fed up
""",
    ),
    *_lines(
        "en",
        "angry",
        "sarcasm",
        """
Great, another week of waiting. Thanks a lot.
Oh wonderful, the "express" shipping took 19 days
Love how you keep telling me it's on its way for a month now
Fantastic service, my order vanished and nobody knows where it is
Brilliant, you sent one shoe. What am I supposed to do with one shoe
Wow thanks for the refund that never arrived, really helpful
""",
    ),
    *_lines(
        "en",
        "angry",
        "typo",
        """
this is rediculous, were is my order???
terible servise, nobody anwsers
worst shop evr, i want a refund NOW
im so angy, the box was broke and the item smashed
you guys are scammers, never recieved anything
total waist of money, cheap garbage
""",
    ),
    *_lines(
        "en",
        "neutral",
        "negword",
        """
I don't like the colour, can I exchange it for the blue one?
Is it bad to put this sweater in the dryer?
My old charger broke, does this one fit a 2019 model?
How do I return something that doesn't fit?
What happens if the parcel gets lost?
The size chart is a bit confusing, is a 38 the same as a US 7?
Can I cancel my order if I made a mistake in the address?
I'm a few dollars short of free shipping, what could I add?
Do you ship to places with no postcode?
My payment failed, can I try another card?
Is there any problem with paying by PayPal?
The item arrived damaged, how do I send photos?
I'm not sure which size to pick, I'm between M and L
No rush, but when will the restock happen?
Is the leather fake or real?
What if I'm not home when the courier comes?
Sorry to bother you, can I change the delivery date?
Does the black one fade after washing?
The link in the email doesn't work, where do I track my parcel?
I lost my receipt, can you send the invoice again?
Is it too late to add something to my order?
Can I complain about a courier, or is that not you?
Do you have anything cheaper than this one?
Is the battery dangerous to take on a plane?
""",
    ),
    *_lines(
        "en",
        "neutral",
        "plain",
        """
When will my order ship?
Do you deliver on weekends?
Can I get an invoice with my company name?
What sizes does this dress come in?
How long does delivery to Germany take?
Can I pay with Apple Pay?
Is there a discount code for first orders?
How do I reset my password?
can u ship 2 canada
hi, whats the return window
""",
    ),
    *_lines(
        "en",
        "positive",
        "thanks",
        """
Thanks a lot, that was really helpful!
Got it, the parcel came today, great job
Perfect, thank you so much
You guys are amazing, the dress fits perfectly
Not bad at all, arrived faster than I thought
Thanks, have a nice day
""",
    ),
    *_lines(
        "zh-hans",
        "angry",
        "complaint",
        """
你们到底有没有人管？问了三次都没人回
又发错尺码了，你们能不能认真一点
衣服洗一次就开线了，质量太差了，我要退钱
快递说签收了我根本没收到，气死我了
退款两个星期还没到账，我要投诉你们
这是我遇到过最差的客服
发来的鞋明显是别人穿过的，鞋底全是泥，太恶心了
扣了我两次钱，没人理，什么破店
别再复制粘贴回复我了，赶紧处理我的订单
说好婚礼前送到，结果到现在都没来，你们毁了我的婚礼
图片跟实物完全两回事，这就是骗人
在你们这浪费了一下午时间，客服一点用都没有
全部取消，以后再也不会在你们家买了
付了钱订单却没了，我真的受够了
你们这样做生意迟早倒闭
""",
    ),
    *_lines(
        "zh-hans",
        "angry",
        "sarcasm",
        """
呵呵，又让我再等一周，真是谢谢你们了
太好了，所谓的特快用了十九天
真棒，订单丢了都没人知道在哪
厉害了，就给我发了一只鞋，让我单脚走路吗
你们的退款真是快啊，一个月了还没到
服了你们了，每次都说在路上
""",
    ),
    *_lines(
        "zh-hans",
        "angry",
        "typo",
        """
垃圾客fu，半天没人回
什么玩意，东西全碎了，退钱!!!
你们是骗纸吧，钱付了东西没收到
气si我了，又发错货
太坑了吧，质量差到爆
辣鸡店铺，再也不来了
""",
    ),
    *_lines(
        "zh-hans",
        "neutral",
        "negword",
        """
差几块钱能包邮吗
颜色不喜欢，可以换个颜色吗
这件衣服缩水吗，不敢用烘干机
旧充电器坏了，这个能用在2019款上吗
不合适的话怎么退货
包裹丢了怎么办
尺码表有点看不懂，38码是多少
地址写错了，能取消订单吗
还差多少钱可以免运费
付款失败了，能换张卡吗
用支付宝付款有问题吗
东西到了有点破损，怎么发照片给你们
不确定选M还是L
不着急，什么时候补货
这个是真皮还是假皮
快递来的时候我不在家怎么办
不好意思打扰一下，能改送货日期吗
黑色的洗了会不会掉色
邮件里的链接打不开，在哪查物流
发票丢了，能再开一张吗
现在加购还来得及吗
有没有便宜一点的
电池上飞机有没有危险
退货运费谁出
""",
    ),
    *_lines(
        "zh-hans",
        "neutral",
        "plain",
        """
什么时候发货
周末可以发货吗
能开公司抬头的发票吗
这条裙子有哪些尺码
寄到德国要多久
可以用微信支付吗
新用户有优惠券吗
密码忘了怎么重置
能寄到香港吗
退货期是几天
""",
    ),
    *_lines(
        "zh-hans",
        "positive",
        "thanks",
        """
谢谢，帮了大忙
包裹今天收到了，很满意
太好了，非常感谢
衣服很合身，好评
比想象中到得快，不错
好的，辛苦了
""",
    ),
]


def split(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Every other line of each (language, label, style) group to dev, the rest to test."""
    dev: list[Line] = []
    test: list[Line] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line in lines:
        group = (line.language, line.label, line.style)
        n = seen.get(group, 0)
        seen[group] = n + 1
        (dev if n % 2 == 0 else test).append(line)
    return dev, test
