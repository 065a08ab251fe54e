"""The demo shop's knowledge base, in English and Simplified Chinese.

Each item: (key, language, title, tags, answer, phrasings). ``demo.py`` loads it; the matching
tests evaluate the matcher against it.
"""

from __future__ import annotations

KB: list[tuple[str, str, str, str, str, list[str]]] = [
    # --- English ---------------------------------------------------------------------------
    (
        "shipping_time",
        "en",
        "How long shipping takes",
        "shipping",
        "Orders ship within 24 hours on working days. Delivery takes 2–4 working days in the "
        "country and 7–12 days abroad. You get a tracking link by email when it ships.",
        [
            "How long does shipping take?",
            "When will my package arrive?",
            "How many days for delivery?",
            "delivery time",
            "How fast do you ship?",
            "When do you send out orders?",
        ],
    ),
    (
        "shipping_cost",
        "en",
        "Shipping cost",
        "shipping",
        "Shipping is free on orders over $49. Below that, standard shipping costs $4.90 and "
        "express shipping $9.90.",
        [
            "How much is shipping?",
            "Do you offer free shipping?",
            "What are the delivery charges?",
            "shipping fee",
            "Is there a minimum order for free delivery?",
        ],
    ),
    (
        "shipping_international",
        "en",
        "International shipping",
        "shipping",
        "We ship to over 40 countries. Import duties and taxes, if any, are paid on delivery; "
        "the checkout shows the countries we deliver to.",
        [
            "Do you ship internationally?",
            "Can you deliver abroad?",
            "Do you ship to Canada?",
            "overseas shipping to other countries",
            "customs duties and import taxes",
        ],
    ),
    (
        "returns",
        "en",
        "Return policy",
        "returns",
        "You can return unworn items within 30 days of delivery. Start a return from "
        "My orders → Return, print the free label and drop the parcel at any post office.",
        [
            "How do I return an item?",
            "What is your return policy?",
            "Can I send it back?",
            "return window",
            "I want to return my shoes",
            "how many days do I have to return",
        ],
    ),
    (
        "refunds",
        "en",
        "Refunds",
        "returns,payment",
        "Refunds go back to the original payment method within 5 working days after the "
        "return reaches our warehouse. You get an email when it is issued.",
        [
            "When will I get my refund?",
            "How long does a refund take?",
            "I want my money back",
            "refund status",
            "Where is my refund?",
        ],
    ),
    (
        "exchange",
        "en",
        "Exchanges",
        "returns,sizes",
        "To exchange for another size or colour, start a return and place a new order; we "
        "refund the first one as soon as it arrives back. Exchanges are free.",
        [
            "Can I exchange for a different size?",
            "How do I swap an item for another colour?",
            "exchange an item",
            "the size is wrong, can I change it",
        ],
    ),
    (
        "sizes",
        "en",
        "Size guide",
        "sizes",
        "Every product page has a size chart under “Size guide”. Our shoes fit true to size; "
        "if you are between sizes, take the larger one.",
        [
            "What size should I order?",
            "Do your shoes run small or large?",
            "size chart",
            "How do I find my size?",
            "Does it fit true to size?",
        ],
    ),
    (
        "payment_methods",
        "en",
        "Payment methods",
        "payment",
        "We accept Visa, Mastercard, American Express, PayPal, Alipay and WeChat Pay.",
        [
            "What payment methods do you accept?",
            "Can I pay with PayPal?",
            "Do you take credit cards?",
            "how can I pay",
            "Do you accept Alipay?",
        ],
    ),
    (
        "payment_failed",
        "en",
        "Payment failed",
        "payment",
        "If a payment fails, check the card details and your bank's 3-D Secure prompt, or try "
        "another method. A failed payment is never charged; a pending hold disappears in 1–3 "
        "days.",
        [
            "My payment failed",
            "My card was declined",
            "Why can't I pay?",
            "I was charged twice",
            "payment error at checkout",
        ],
    ),
    (
        "warranty",
        "en",
        "Warranty",
        "warranty",
        "All products have a 2-year warranty against manufacturing defects. Send us a photo "
        "of the defect and your order number and we repair or replace the item.",
        [
            "Is there a warranty?",
            "How long is the guarantee?",
            "My product broke after a month, is it covered?",
            "warranty claim for a defect",
        ],
    ),
    (
        "cancel",
        "en",
        "Cancel an order",
        "orders",
        "You can cancel an order from My orders until it ships (usually within a few hours). "
        "After it ships, refuse the delivery or return it for free.",
        [
            "How do I cancel my order?",
            "Can I cancel an order?",
            "I ordered by mistake, please cancel",
            "cancel purchase",
        ],
    ),
    (
        "address",
        "en",
        "Change the delivery address",
        "orders,shipping",
        "You can change the address in My orders until the order ships. Afterwards, ask the "
        "carrier to redirect it with the tracking link.",
        [
            "How do I change my shipping address?",
            "I entered the wrong address",
            "update delivery address",
            "Can I send it to a different address?",
        ],
    ),
    (
        "invoice",
        "en",
        "Invoices",
        "payment",
        "Your invoice is attached to the shipping confirmation email and can be downloaded "
        "from My orders. For a company invoice, add the VAT number at checkout.",
        [
            "Can I get an invoice?",
            "Where do I find my receipt?",
            "I need a VAT invoice",
            "download invoice",
        ],
    ),
    (
        "coupon",
        "en",
        "Discount codes",
        "payment,promotions",
        "Enter the code in the “Discount code” box at checkout. One code per order; codes do "
        "not apply to items already on sale.",
        [
            "How do I use a coupon code?",
            "My discount code doesn't work",
            "Do you have any promo codes?",
            "where to enter the voucher",
        ],
    ),
    (
        "password",
        "en",
        "Account and password",
        "account",
        "Use “Forgot password?” on the sign-in page; we email a reset link that is valid for "
        "one hour.",
        [
            "I forgot my password",
            "How do I reset my password?",
            "I can't log in to my account",
            "change account email",
        ],
    ),
    (
        "damaged",
        "en",
        "Damaged or wrong item",
        "returns,warranty",
        "Sorry about that! Send a photo of the item and the package within 7 days and we send "
        "a replacement at once, free of charge.",
        [
            "My item arrived damaged",
            "I received the wrong item",
            "the package was broken",
            "something is missing from my parcel",
        ],
    ),
    # --- 简体中文 ----------------------------------------------------------------------------
    (
        "shipping_time",
        "zh-hans",
        "发货和配送时间",
        "shipping",
        "工作日下单后 24 小时内发货。国内配送 2–4 个工作日，海外 7–12 天。"
        "发货后会通过邮件发送物流链接。",
        [
            "多久发货？",
            "几天能到？",
            "什么时候发货",
            "配送需要多长时间",
            "下单后多久能收到",
        ],
    ),
    (
        "shipping_cost",
        "zh-hans",
        "运费",
        "shipping",
        "订单满 49 美元包邮。不满时普通快递运费 4.90 美元，加急 9.90 美元。",
        [
            "运费多少？",
            "包邮吗",
            "邮费怎么算",
            "满多少免运费",
        ],
    ),
    (
        "shipping_international",
        "zh-hans",
        "国际配送",
        "shipping",
        "我们配送到 40 多个国家和地区。如有关税，由收件人在签收时支付。",
        [
            "可以寄到国外吗？",
            "支持海外配送吗",
            "能发到美国吗",
            "关税谁付",
        ],
    ),
    (
        "returns",
        "zh-hans",
        "退货政策",
        "returns",
        "签收后 30 天内未穿着的商品可以退货。"
        "在“我的订单 → 退货”中申请，打印免费运单后交给邮局即可。",
        [
            "怎么退货？",
            "退货政策是什么",
            "可以退吗",
            "七天无理由退货吗",
            "我想退掉这双鞋",
        ],
    ),
    (
        "refunds",
        "zh-hans",
        "退款",
        "returns,payment",
        "退货到达仓库后 5 个工作日内原路退款，退款完成后会邮件通知您。",
        [
            "退款什么时候到账？",
            "退款要多久",
            "我的钱什么时候退回来",
            "退款进度",
        ],
    ),
    (
        "exchange",
        "zh-hans",
        "换货",
        "returns,sizes",
        "需要换尺码或颜色时，请先申请退货并重新下单；原订单寄回后立即退款。换货免费。",
        [
            "可以换货吗？",
            "尺码不合适能换吗",
            "怎么换一个颜色",
            "换大一码",
        ],
    ),
    (
        "sizes",
        "zh-hans",
        "尺码指南",
        "sizes",
        "每个商品页面的“尺码指南”里有尺码表。鞋子按正常尺码购买即可，介于两个尺码之间请选大一码。",
        [
            "我该买多大码？",
            "尺码表在哪里",
            "鞋子偏大还是偏小",
            "怎么选尺码",
        ],
    ),
    (
        "payment_methods",
        "zh-hans",
        "支付方式",
        "payment",
        "支持 Visa、万事达、美国运通、PayPal、支付宝和微信支付。",
        [
            "支持哪些支付方式？",
            "可以用支付宝吗",
            "能用微信支付吗",
            "怎么付款",
            "可以刷信用卡吗",
        ],
    ),
    (
        "payment_failed",
        "zh-hans",
        "支付失败",
        "payment",
        "支付失败时请检查卡信息和银行验证，或换一种支付方式。"
        "失败的支付不会扣款，预授权会在 1–3 天内自动释放。",
        [
            "支付失败了",
            "付款不成功怎么办",
            "银行卡被拒绝",
            "扣了两次款",
        ],
    ),
    (
        "warranty",
        "zh-hans",
        "保修",
        "warranty",
        "所有商品享受 2 年质量问题保修。请把故障照片和订单号发给我们，我们会维修或更换。",
        [
            "有保修吗？",
            "保修多久",
            "质量问题怎么处理",
            "坏了可以保修吗",
        ],
    ),
    (
        "cancel",
        "zh-hans",
        "取消订单",
        "orders",
        "订单发货前（通常几小时内）可以在“我的订单”中取消。已发货的订单可以拒收或免费退货。",
        [
            "怎么取消订单？",
            "我不想要了，可以取消吗",
            "下错单了要取消",
            "取消购买",
        ],
    ),
    (
        "address",
        "zh-hans",
        "修改收货地址",
        "orders,shipping",
        "订单发货前可以在“我的订单”中修改地址。发货后请通过物流链接联系快递公司改派。",
        [
            "怎么修改收货地址？",
            "地址填错了",
            "能改地址吗",
            "换一个收货地址",
        ],
    ),
    (
        "invoice",
        "zh-hans",
        "发票",
        "payment",
        "发票随发货邮件发送，也可以在“我的订单”中下载。需要公司抬头请在结账时填写税号。",
        [
            "可以开发票吗？",
            "发票在哪里下载",
            "我需要增值税发票",
            "怎么开公司抬头的发票",
        ],
    ),
    (
        "coupon",
        "zh-hans",
        "优惠券",
        "payment,promotions",
        "在结账页面的“优惠码”框中输入即可。每单限用一张，特价商品不可使用。",
        [
            "优惠券怎么用？",
            "优惠码用不了",
            "有没有折扣码",
            "在哪里输入优惠码",
        ],
    ),
    (
        "password",
        "zh-hans",
        "账户和密码",
        "account",
        "在登录页点击“忘记密码”，我们会发送一小时内有效的重置链接。",
        [
            "忘记密码了",
            "怎么重置密码",
            "登录不了账号",
            "修改账户邮箱",
        ],
    ),
    (
        "damaged",
        "zh-hans",
        "商品损坏或发错",
        "returns,warranty",
        "非常抱歉！请在 7 天内发送商品和包装的照片，我们会立即免费补发。",
        [
            "收到的商品坏了",
            "发错货了",
            "包裹破损",
            "少发了东西",
        ],
    ),
]
