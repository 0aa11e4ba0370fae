from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from cases import services
from cases.access import get_case_for

from ..serializers.cases import InteractionCreateSerializer, InteractionSerializer
from .base import WRITE_ERRORS, ApiViewSet, errors

INTERACTION_EXAMPLE = OpenApiExample(
    "Interaction",
    value={
        "id": 981,
        "case": "CD-000123",
        "occurred_at": "2026-11-02T10:20:00Z",
        "author": {"id": 7, "name": "Sam Staff", "username": "sam"},
        "channel": "phone",
        "direction": "inbound",
        "summary": "Customer called about the dented door; offered a replacement.",
        "demeanour": "angry",
        "minutes": 6,
        "promise": "Call back when the door arrives",
        "promise_due_at": "2026-11-05T16:00:00Z",
        "created_at": "2026-11-02T10:20:00Z",
    },
    response_only=True,
)


class InteractionViewSet(ApiViewSet):
    """The interactions of one case, oldest first."""

    serializer_class = InteractionSerializer
    ordering = "occurred_at"

    def _case(self) -> Any:
        return get_case_for(self.request.user, self.kwargs["reference"])

    @extend_schema(
        summary="A case's interactions",
        responses={200: InteractionSerializer(many=True), **errors(400, 404)},
        examples=[INTERACTION_EXAMPLE],
    )
    def list(self, request: Request, reference: str) -> Response:
        case = self._case()
        rows = case.interactions.select_related("author")
        page = self.paginate_queryset(rows)
        for row in page:
            row.case = case  # the serializer names the case: no query per row
        return self.get_paginated_response(InteractionSerializer(page, many=True).data)

    @extend_schema(
        summary="Log an interaction (a promise becomes a follow-up task)",
        request=InteractionCreateSerializer,
        responses={201: InteractionSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A call",
                value={
                    "channel": "phone",
                    "direction": "inbound",
                    "summary": "Customer called about the dented door; offered a replacement.",
                    "demeanour": "angry",
                    "minutes": 6,
                },
                request_only=True,
            ),
            INTERACTION_EXAMPLE,
        ],
    )
    def create(self, request: Request, reference: str) -> Response:
        case = self._case()

        def run() -> Response:
            data = self.valid(InteractionCreateSerializer)
            interaction = services.log_interaction(case, by=request.user, **data)
            body = InteractionSerializer(interaction).data
            return Response(body, status=status.HTTP_201_CREATED)

        return self.write(request, run)
