"""Privacy endpoints of the integration API: export and erase a customer (read-write token
for erasure)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from .. import privacy, selectors
from .integration import TAGS, ShopApi, key_or_404
from .serializers import CustomerOut


def _token_id(request: Request) -> int | None:
    """The shop's API token that made the call (the audit log names it)."""
    return getattr(request.auth, "pk", None)


class CustomerExportApi(ShopApi):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=TAGS,
        summary="Export a customer's data (profile, orders, conversations, messages)",
    )
    def get(self, request: Request, external_id: str) -> Response:
        customer = selectors.customer_by_external_id(key_or_404(external_id))
        return Response(privacy.customer_export(customer=customer, by_token_id=_token_id(request)))


class CustomerEraseApi(ShopApi):
    @extend_schema(
        request=None,
        responses=CustomerOut,
        tags=TAGS,
        summary="Erase a customer's personal data",
    )
    def post(self, request: Request, external_id: str) -> Response:
        customer = selectors.customer_by_external_id(key_or_404(external_id))
        return Response(
            selectors.customer_payload(
                privacy.customer_erase(customer=customer, by_token_id=_token_id(request))
            )
        )
