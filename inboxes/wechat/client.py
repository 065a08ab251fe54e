"""wechatpy's client for one account, its access token shared by every process.

The access token (valid two hours, limited fetches a day) is kept in the desk's cache under
the appid, so all web and Celery processes use one and refresh it before it runs out;
wechatpy fetches a new one and repeats the call when WeChat says it expired (40001, 42001).
Errors become ``SendError``: WeChat being busy (-1), throttling (45009) and outages are
retried; refusals are final with WeChat's code and message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from chat.models import Channel

from ..http import provider_session
from ..registry import SendError

TIMEOUT = (5, 30)
RETRY_CODES = {-1, 45009, 45011}
WINDOW_CLOSED = 45015  # "response out of time limit": the 48 hours are over
T = TypeVar("T")


class CacheStorage(SessionStorage):  # type: ignore[misc]
    """wechatpy's session storage on Django's cache (Redis in production)."""

    prefix = "wechat:"

    def get(self, key: str, default: Any = None) -> Any:
        return cache.get(self.prefix + key, default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        # Refreshed five minutes early: a token near its end is never handed out.
        timeout = max(int(ttl) - 300, 60) if ttl else None
        cache.set(self.prefix + key, value, timeout)

    def delete(self, key: str) -> None:
        cache.delete(self.prefix + key)


class DeskWeChatClient(WeChatClient):  # type: ignore[misc]
    def __init__(self, channel: Channel) -> None:
        config = channel.config
        super().__init__(config["appid"], config["secret"], session=CacheStorage(), timeout=TIMEOUT)
        # The process's pooled session, not a new one (a new connection) per client.
        self._http = provider_session()
        self.api_url = str(config.get("api_url") or "https://api.weixin.qq.com").rstrip("/")
        self.API_BASE_URL = f"{self.api_url}/cgi-bin/"

    def fetch_access_token(self) -> Any:
        """wechatpy's fetch with a time-out (its own waits forever) and the configured URL."""
        response = self._http.get(
            f"{self.api_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            raise WeChatClientException(None, None, client=self, response=response)
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(
                result["errcode"], result.get("errmsg", ""), client=self, response=response
            )
        expires_in = int(result.get("expires_in") or 7200)
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result


def wechat_client(channel: Channel) -> DeskWeChatClient:
    return DeskWeChatClient(channel)


def wechat_call(call: Callable[[], T]) -> T:
    """Run one API call; WeChat's errors as ``SendError`` (retry or final)."""
    try:
        return call()
    except WeChatClientException as exc:
        code = exc.errcode
        if code is None:  # an HTTP error before WeChat answered
            raise SendError("WeChat could not be reached (HTTP error).") from exc
        if int(code) == WINDOW_CLOSED:
            raise SendError(
                "WeChat: more than 48 hours have passed since the customer last wrote "
                "(code 45015).",
                retry=False,
            ) from exc
        reason = f"WeChat: {exc.errmsg} (code {code})"
        raise SendError(reason[:480], retry=int(code) in RETRY_CODES) from exc
    except requests.Timeout as exc:
        raise SendError(f"WeChat did not answer in time ({type(exc).__name__}).") from exc
    except requests.RequestException as exc:
        raise SendError(f"WeChat could not be reached: {type(exc).__name__}.") from exc
