"""The demo storefront pages, the widget's config endpoint (strings in both languages, part
manifest) and CORS for the widget's REST calls."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from helpdesk import storefront
from orders.models import Product

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def products() -> list[Product]:
    return [
        Product.objects.create(
            external_id="P-1", name="Linen shirt", slug="linen-shirt", price=Decimal("39.00")
        ),
        Product.objects.create(
            external_id="P-2",
            name='Mug <script>alert("x")</script>',
            slug="evil-mug",
            description="<img src=x onerror=alert(1)>",
            price=Decimal("14.00"),
        ),
        Product.objects.create(
            external_id="P-3", name="Hidden", slug="hidden", price=Decimal("1.00"), active=False
        ),
    ]


WIDGET_TAG = re.compile(r'<script src="http://testserver/static/widget/widget\.js" async')


def test_home_lists_active_products_and_includes_the_widget(client: Client, products) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Linen shirt" in html
    assert "/p/linen-shirt/" in html
    assert "Hidden" not in html
    # The same one absolute script tag any other site would use.
    assert len(WIDGET_TAG.findall(html)) == 1
    # The marked spot for the demo customer switch.
    assert 'data-slot="demo-customer"' in html


def test_product_page_exposes_ids_for_browsing_events(client: Client, products) -> None:
    shirt = products[0]
    response = client.get("/p/linen-shirt/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-hd-product-id="{shirt.pk}"' in html
    assert 'data-hd-product-external-id="P-1"' in html
    assert 'data-hd-action="add-to-cart"' in html
    assert WIDGET_TAG.search(html)


def test_product_page_404s_for_unknown_or_inactive(client: Client, products) -> None:
    assert client.get("/p/nope/").status_code == 404
    assert client.get("/p/hidden/").status_code == 404


def test_product_text_is_escaped(client: Client, products) -> None:
    html = client.get("/p/evil-mug/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    home = client.get("/").content.decode()
    assert "<script>alert" not in home


def test_storefront_follows_accept_language(client: Client, products) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "加入购物车" not in html  # only on product pages
    assert "商品" in html
    product_html = client.get("/p/linen-shirt/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "加入购物车" in product_html
    english = client.get("/p/linen-shirt/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Add to cart" in english


@pytest.mark.parametrize(
    ("lang", "expected_language", "open_chat"),
    [
        ("en", "en", "Open chat"),
        ("zh-hans", "zh-hans", "打开聊天"),
        ("zh-CN", "zh-hans", "打开聊天"),
        ("zh-TW", "zh-hans", "打开聊天"),
        ("de-DE", "de", "Chat öffnen"),
        ("de_AT", "de", "Chat öffnen"),
        ("ja-JP", "ja", "チャットを開く"),
        ("fr-FR", "en", "Open chat"),
        ("", "en", "Open chat"),
    ],
)
def test_widget_config_strings(client: Client, lang, expected_language, open_chat) -> None:
    response = client.get("/api/widget/config", {"lang": lang})
    assert response.status_code == 200
    data = response.json()
    assert data["language"] == expected_language
    assert data["strings"]["Open chat"] == open_chat
    # Every core string is present, with its placeholders intact in translation.
    assert set(storefront.CORE_STRINGS) <= set(data["strings"])
    for key in storefront.CORE_STRINGS:
        text = data["strings"][key]
        assert set(re.findall(r"%\(\w+\)s", key)) == set(re.findall(r"%\(\w+\)s", text))
    assert response["Access-Control-Allow-Origin"] == "*"


def test_widget_config_chinese_is_fully_translated(client: Client) -> None:
    strings = client.get("/api/widget/config", {"lang": "zh-hans"}).json()["strings"]
    untranslated = [key for key in storefront.CORE_STRINGS if strings[key] == key]
    assert untranslated == []


@pytest.mark.parametrize("lang", ["de", "ja"])
def test_widget_config_german_and_japanese_are_fully_translated(client: Client, lang: str) -> None:
    """The shoppers' languages the desk translates for beyond its own two: every word of the
    widget's core, of its calls and of its translation marks comes in the shopper's language,
    placeholders intact."""
    from chat.calls.strings import WIDGET_STRINGS as CALLS

    strings = client.get("/api/widget/config", {"lang": lang}).json()["strings"]
    english = client.get("/api/widget/config", {"lang": "en"}).json()["strings"]
    keys = [
        *storefront.CORE_STRINGS,
        *(f"calls.{key}" for key in CALLS),
        "translation.translated",
        "translation.show_original",
        "translation.show_translation",
        "translation.not_translated",
    ]
    # A product name stays a name.
    same = [key for key in keys if strings[key] == english[key] and key != "Powered by Helpdesk"]
    assert same == []
    for key in keys:
        placeholders = set(re.findall(r"%\(\w+\)s", english[key]))
        assert placeholders == set(re.findall(r"%\(\w+\)s", strings[key])), key


def test_widget_config_lists_part_files(client: Client, settings, tmp_path) -> None:
    parts = tmp_path / "widget" / "parts"
    parts.mkdir(parents=True)
    (parts / "20-zeta.js").write_text("/* part */")
    (parts / "10-alpha.js").write_text("/* part */")
    (parts / "notes.txt").write_text("not a part")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    from django.contrib.staticfiles import finders

    finders.get_finder.cache_clear()
    try:
        urls = storefront._find_parts()
    finally:
        finders.get_finder.cache_clear()
    mine = [u for u in urls if u.endswith(("alpha.js", "zeta.js"))]
    assert mine == ["/static/widget/parts/10-alpha.js", "/static/widget/parts/20-zeta.js"]
    assert not any(u.endswith(".txt") for u in urls)
    assert client.get("/api/widget/config").json()["parts"] == storefront.widget_parts()


def test_widget_strings_register_translates_part_strings(client: Client) -> None:
    from django.utils.translation import gettext_lazy

    storefront.widget_strings_register("testpart", {"close": gettext_lazy("Close chat")})
    try:
        zh = client.get("/api/widget/config", {"lang": "zh-hans"}).json()["strings"]
        en = client.get("/api/widget/config", {"lang": "en"}).json()["strings"]
    finally:
        storefront._registry.pop("testpart.close")
    assert zh["testpart.close"] == "关闭聊天"
    assert en["testpart.close"] == "Close chat"


def test_widget_script_and_styles_are_served(client: Client) -> None:
    from django.contrib.staticfiles import finders

    script = finders.find("widget/widget.js")
    css = finders.find("widget/widget.css")
    assert script and css
    with open(script, encoding="utf-8") as handle:
        source = handle.read()
    # Message data only ever reaches the DOM as text.
    assert "innerHTML" not in source
    assert "insertAdjacentHTML" not in source


class TestCors:
    def test_preflight_from_a_storefront_origin(self, client: Client, settings) -> None:
        settings.STOREFRONT_ORIGINS = ["https://shop.example.com"]
        response = client.options(
            "/api/widget/session",
            HTTP_ORIGIN="https://shop.example.com",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
        assert "Content-Type" in response["Access-Control-Allow-Headers"]
        assert "Authorization" in response["Access-Control-Allow-Headers"]
        assert "Access-Control-Allow-Credentials" not in response

    def test_session_from_a_storefront_origin(self, client: Client, settings) -> None:
        settings.STOREFRONT_ORIGINS = ["https://shop.example.com"]
        response = client.post(
            "/api/widget/session",
            {"language": "en"},
            content_type="application/json",
            HTTP_ORIGIN="https://shop.example.com",
        )
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
        assert "Origin" in response["Vary"]

    @pytest.mark.parametrize("path", ["/api/v1/uploads", "/api/v1/uploads/limits"])
    def test_media_endpoints_allow_the_storefront(self, client: Client, settings, path) -> None:
        # The widget uploads and downloads attachments from the shop's own origin.
        settings.STOREFRONT_ORIGINS = ["https://shop.example.com"]
        response = client.options(
            path,
            HTTP_ORIGIN="https://shop.example.com",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"

    def test_unknown_origin_gets_no_cors_headers(self, client: Client, settings) -> None:
        settings.STOREFRONT_ORIGINS = ["https://shop.example.com"]
        response = client.options(
            "/api/widget/session",
            HTTP_ORIGIN="https://evil.example.net",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        )
        assert "Access-Control-Allow-Origin" not in response

    def test_other_paths_get_no_cors_headers(self, client: Client, settings) -> None:
        settings.STOREFRONT_ORIGINS = ["https://shop.example.com"]
        response = client.get("/api/v1/agents/", HTTP_ORIGIN="https://shop.example.com")
        assert "Access-Control-Allow-Origin" not in response


def test_widget_config_is_in_the_openapi_schema(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/widget/config" in response.content.decode()
    limits = client.get("/api/widget/config").json()["limits"]
    assert limits["max_body_chars"] > 0 and limits["max_frame_bytes"] == 64 * 1024
