"""``Message.search_text``: filled from the body whenever a message is written."""

from __future__ import annotations

from typing import Any

from django.db import models

from .segment import index_text


class SearchTextField(models.TextField):
    """The body with its Chinese cut into words, or NULL (no Chinese: the index reads the
    body). Computed in ``pre_save``, so ``save()``, ``bulk_create`` and the message path's
    fixed INSERT (chat/statements.py) all fill it; a ``QuerySet.update(body=…)`` must set it
    too (chat/privacy.py does)."""

    def __init__(self, *args: Any, source: str = "body", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.source != "body":
            kwargs["source"] = self.source
        for key in ("null", "blank", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = index_text(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
