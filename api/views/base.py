"""What every API view shares: the write wrapper, role checks, and error documentation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cases.models import Role

from ..errors import as_api_error
from ..idempotency import idempotent
from ..serializers.common import ErrorSerializer
from ..throttling import AddressRateThrottle

# The schema's own prose (summaries, descriptions, these examples) is developer
# documentation and stays English; the messages the API answers with are translated.
ERROR_TEXT = {
    400: ("The input was refused; each error names its field.", "required", "summary"),
    401: ("No valid token or session.", "not_authenticated", None),
    403: ("Your role may not do this.", "permission_denied", None),
    404: ("No such object, or not one of your teams'.", "not_found", None),
    409: ("Someone else changed it first, or it is in the wrong state.", "conflict", None),
    422: ("This Idempotency-Key was used with a different request.", "unprocessable", None),
    429: ("Too many requests; retry after Retry-After seconds.", "throttled", None),
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for the schema: 401 and 429 everywhere, plus those named."""
    documented: dict[int, OpenApiResponse] = {}
    for status in sorted({401, 429, *statuses}):
        text, code, field = ERROR_TEXT[status]
        example = {"errors": [{"field": field, "message": text, "code": code}]}
        documented[status] = OpenApiResponse(
            ErrorSerializer,
            description=text,
            examples=[OpenApiExample(f"{status}", value=example, response_only=True)],
        )
    return documented


WRITE_ERRORS = (400, 404, 409, 422)


def require(request: Request, may: Callable[[Any], bool], refusal: str) -> None:
    """A 403 unless `may` (a cases.permissions rule, as the pages ask) allows the user.
    `refusal` is the whole translated sentence (never built from fragments)."""
    if not may(request.user):
        raise exceptions.PermissionDenied(refusal)


def require_admin(request: Request, refusal: str) -> None:
    if request.user.role != Role.ADMIN:
        raise exceptions.PermissionDenied(refusal)


class ApiViewSet(viewsets.GenericViewSet):
    """A view set whose writes are idempotent with a key and whose domain errors are JSON."""

    def _throttle(self, request: Request, *, address: bool) -> None:
        waits = [
            throttle.wait()
            for throttle in self.get_throttles()
            if isinstance(throttle, AddressRateThrottle) == address
            and not throttle.allow_request(request, self)
        ]
        if waits:
            self.throttled(request, max((w for w in waits if w is not None), default=None))

    def perform_authentication(self, request: Request) -> None:
        # The address is counted before the token is looked at, so that guesses at tokens
        # (and anonymous calls) are throttled too; DRF would authenticate first.
        self._throttle(request, address=True)
        super().perform_authentication(request)

    def check_throttles(self, request: Request) -> None:
        self._throttle(request, address=False)

    def valid(self, serializer_class: type[Serializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def write(self, request: Request, action: Callable[[], Response]) -> Response:
        """Run one service call (inside the Idempotency-Key's transaction when sent)."""

        def guarded() -> Response:
            try:
                return action()
            except Exception as error:  # domain errors become 400/409; others re-raise
                converted = as_api_error(error)
                if converted is error:
                    raise
                raise converted from error

        return idempotent(request, guarded)
