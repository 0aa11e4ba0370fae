"""Keyset pagination: `WHERE (sort, id) < (last sort, last id) ORDER BY sort, id LIMIT n+1`.

DRF's CursorPagination keeps a position on the first sort field only and skips ties by
OFFSET, which on a field with four values (priority) becomes a deep OFFSET scan. Here the
cursor carries the last row's sort value *and* id, so every page is one index range scan
on (sort, id), however deep. No COUNT(*): one row more than the page says there is a next.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_CURSOR = 512


class KeysetPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"  # a view sets its own; the id tiebreak is always added

    def _sort(self, view: Any, request: Request) -> tuple[str, bool]:
        chosen = view.keyset_ordering(request) if hasattr(view, "keyset_ordering") else None
        ordering = chosen or getattr(view, "ordering", None) or self.ordering
        return ordering.lstrip("-"), ordering.startswith("-")

    def _decode(self, request: Request, queryset: QuerySet[Any], field: str) -> Any:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            if len(raw) > MAX_CURSOR:
                raise ValueError
            value, pk = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
                raise ValueError
            value = queryset.model._meta.get_field(field).to_python(value)
        except (ValueError, TypeError, UnicodeError, binascii.Error, DjangoValidationError):
            raise ValidationError({"cursor": [_("This cursor is not one we gave out.")]}) from None
        return value, pk

    @staticmethod
    def _encode(value: Any, pk: int) -> str:
        plain = value.isoformat() if hasattr(value, "isoformat") else value
        return base64.urlsafe_b64encode(json.dumps([plain, pk]).encode()).decode()

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        field, descending = self._sort(view, request)
        position = self._decode(request, queryset, field)
        sign = "-" if descending else ""
        queryset = queryset.order_by(f"{sign}{field}", f"{sign}id")
        if position is not None:
            value, pk = position
            # `field <= value` is the index range; the exclude drops the ties already shown.
            op, tie = ("lte", "gte") if descending else ("gte", "lte")
            queryset = queryset.filter(**{f"{field}__{op}": value}).exclude(
                **{field: value, f"id__{tie}": pk}
            )
        rows = list(queryset[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.next_cursor = (
            self._encode(getattr(rows[-1], field), rows[-1].pk) if self.has_next else None
        )
        return rows

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                    "example": "https://casedesk.example.com/api/v1/cases/?cursor=WzEyM10%3D",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
