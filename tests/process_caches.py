"""What a process caches from the database, forgotten between tests: in the test process and in
the servers tests start.

Each cache lives for seconds (or, for channel kinds and Django's content types, for ever) in a
real process. In the suite a transactional test's flush deletes every row and makes the
content types again under new ids, so a server that outlives a test (the session's
``live_daphne``, a module's server) would carry the flushed rows into the next test: Django's
ContentType cache gave an admin save's ``LogEntry`` a content type id that no longer existed
(a 500), the routing's caches held a flushed team's settings.

The servers tests start run ``tests.server_settings``: the production settings with
``ProcessCacheResetMiddleware`` first, which answers ``POST RESET_PATH`` by calling
``reset_process_caches`` in the server; ``tests.procs.reset_server_caches`` sends it, and the
``live_daphne`` fixture does before every test. Nothing of this is in the production settings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

RESET_PATH = "/__tests__/process-caches/reset"


def reset_process_caches() -> None:
    """Forget what this process cached from the database.

    Every per-process cache of rows the app keeps is listed here, and only here; Django's
    content types are one of them.
    """
    from django.contrib.contenttypes.models import ContentType

    from analytics.sla import policies as sla_policies
    from chat import events
    from chat.automation import listeners as automation
    from chat.bot.matching import hybrid, index
    from chat.routing import business_hours, selectors
    from inboxes.api import events as api_events
    from inboxes.email.receive import email_channels_changed

    ContentType.objects.clear_cache()
    business_hours.cache_clear()
    sla_policies.cache_clear()
    automation.cache_clear()
    selectors._target_cache.clear()
    selectors._handle_cache.clear()
    events._channel_kinds.clear()
    email_channels_changed()
    api_events._api_channels = (0.0, frozenset())
    # The bot's indexes of the knowledge base: rebuilt from the rows at their next use.
    for bot_index in (index, hybrid):
        with bot_index._lock:
            bot_index._state["version"] = None


def _answer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reset_process_caches()
    return HttpResponse(status=204)


class ProcessCacheResetMiddleware:
    """``POST RESET_PATH``: the process forgets its cached rows (204); every other request
    passes through untouched. Sync and async, so it changes nothing of how Django adapts the
    rest of the chain."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        if request.path == RESET_PATH:
            return _answer(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if request.path == RESET_PATH:
            # Dictionaries and lru caches only: no query, nothing that blocks the loop.
            return _answer(request)
        response: Awaitable[HttpResponse] = self.get_response(request)
        return await response
