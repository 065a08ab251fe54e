"""OpenAPI schema generation: component names and operation ids that stay unique across the
project, so ``check --deploy`` (which generates the schema) reports no collisions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers

# APIs follow the styleguide's nested ``InputSerializer`` / ``OutputSerializer`` classes; named by
# their class alone they collide in the schema (every one would be "InputRequest").
NESTED_NAMES = {"InputSerializer", "OutputSerializer", "FilterSerializer"}

# drf-spectacular's ``inline_serializer`` makes a new class on every call; the same name with the
# same fields is one component, not a collision.
_inline_classes: dict[tuple[str, tuple[tuple[str, str, str], ...]], type] = {}


def _field_signature(cls: type) -> tuple[tuple[str, str, str], ...]:
    fields = getattr(cls, "_declared_fields", {})
    return tuple(
        (name, type(field).__name__, repr(sorted(getattr(field, "_kwargs", {}).items())))
        for name, field in fields.items()
    )


class AutoSchema(BaseAutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        cls = serializer.__class__
        name = str(cls.__name__)
        owner = cls.__qualname__.split(".")[0] if "." in cls.__qualname__ else ""
        if name in NESTED_NAMES and owner:
            for suffix in ("Api", "APIView", "View"):
                if owner.endswith(suffix) and owner != suffix:
                    owner = owner[: -len(suffix)]
                    break
            return owner + name.removesuffix("Serializer")
        return name

    def get_serializer_identity(self, serializer: Any, direction: Any) -> Any:
        identity = super().get_serializer_identity(serializer, direction)
        cls = serializer.__class__
        if cls.__module__ == serializers.__name__ and cls.__bases__ == (serializers.Serializer,):
            key = (cls.__name__, _field_signature(cls))
            return _inline_classes.setdefault(key, cls)
        return identity

    def get_operation_id(self) -> str:
        operation_id = str(super().get_operation_id())
        # A ``…ListApi`` view answers a list even when its body wraps it (results + counts);
        # "retrieve" would collide with the detail route's id.
        view_name = type(self.view).__name__
        if (
            self.method == "GET"
            and operation_id.endswith("_retrieve")
            and view_name.endswith("ListApi")
            and "{" not in self.path
        ):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id
