from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.access import get_case_for
from cases.filters import SORT_FIELDS, CaseFilter
from cases.models import Case, Priority, Status
from policies.models import Demeanour
from privacy.access import record_view

from ..serializers import cases as s
from .base import WRITE_ERRORS, ApiViewSet, errors

LATEST_EVENTS = 20
SORTS = sorted([*SORT_FIELDS, *(f"-{key}" for key in SORT_FIELDS)])

CASE_EXAMPLE = OpenApiExample(
    "Case",
    value={
        "reference": "CD-000123",
        "subject": "Fridge door dented on delivery",
        "status": "open",
        "priority": "normal",
        "demeanour": "angry",
        "channel": "phone",
        "customer": {"id": 42, "name": "Dana Whitfield"},
        "team": {"id": 1, "name": "Downtown store"},
        "category": {"id": 3, "name": "Damaged item"},
        "assignee": {"id": 7, "name": "Sam Staff", "username": "sam"},
        "outcome": "",
        "resolution_summary": "",
        "created_at": "2026-11-02T10:15:00Z",
        "updated_at": "2026-11-02T10:20:00Z",
        "last_activity_at": "2026-11-02T10:20:00Z",
        "resolved_at": None,
    },
    response_only=True,
)
LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("team", int, description="A team id (one of yours)."),
    OpenApiParameter("assignee", int, description="A person's id."),
    OpenApiParameter("category", int, description="A category id."),
    OpenApiParameter("demeanour", str, enum=Demeanour.values),
    OpenApiParameter("priority", str, enum=Priority.values),
    OpenApiParameter("customer", int, description="A customer's id: all their cases."),
    OpenApiParameter("created_after", OpenApiTypes.DATE),
    OpenApiParameter("created_before", OpenApiTypes.DATE),
    OpenApiParameter("updated_after", OpenApiTypes.DATE),
    OpenApiParameter("updated_before", OpenApiTypes.DATE),
    OpenApiParameter("o", str, enum=SORTS, description="Sort key; `-` for descending."),
]


def _action_schema(summary: str, request: Any, example: dict[str, Any]) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: s.CaseSerializer, **errors(403, *WRITE_ERRORS)},
        examples=[OpenApiExample(summary, value=example, request_only=True), CASE_EXAMPLE],
    )


class CaseViewSet(ApiViewSet):
    """Cases of your teams (admins: all), by reference (`CD-000123`)."""

    serializer_class = s.CaseSerializer
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]{1,20}"
    ordering = "-created_at"

    def get_queryset(self) -> Any:
        return selectors.case_list_queryset(self.request.user)

    def keyset_ordering(self, request: Request) -> str | None:
        return getattr(self, "_sort", None)

    def _filtered(self, request: Request) -> Any:
        """The case list page's allow-listed filters and sorts (cases/filters.py)."""
        filterset = CaseFilter(
            request.query_params, queryset=self.get_queryset(), user=request.user
        )
        if not filterset.form.is_valid():
            raise exceptions.ValidationError(
                {
                    field: [exceptions.ErrorDetail(e["message"], e["code"]) for e in errs]
                    for field, errs in filterset.form.errors.get_json_data().items()
                }
            )
        sort = (filterset.form.cleaned_data.get("o") or [None])[0]
        if sort:
            descending = sort.startswith("-")
            self._sort = ("-" if descending else "") + SORT_FIELDS[sort.lstrip("-")]
        return filterset.qs

    @extend_schema(
        summary="List cases: the case list's filters and sorts",
        parameters=LIST_PARAMETERS,
        responses={200: s.CaseSerializer(many=True), **errors(400)},
        examples=[CASE_EXAMPLE],
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self._filtered(request))
        return self.get_paginated_response(s.CaseSerializer(page, many=True).data)

    def _detail(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        events = case.events.select_related("actor").order_by("-created_at", "-id")
        context = {"latest_events": list(events[:LATEST_EVENTS])}
        return Response(s.CaseDetailSerializer(case, context=context).data, status=code)

    @extend_schema(
        summary="Open a case, optionally with its first interaction",
        request=s.CaseCreateSerializer,
        responses={201: s.CaseDetailSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Case with a first interaction",
                value={
                    "customer": 42,
                    "subject": "Fridge door dented on delivery",
                    "category": 3,
                    "channel": "phone",
                    "demeanour": "angry",
                    "assign_to_me": True,
                    "first_interaction": {"summary": "Wants a replacement door", "minutes": 6},
                },
                request_only=True,
            ),
            CASE_EXAMPLE,
        ],
    )
    def create(self, request: Request) -> Response:
        def run() -> Response:
            data = self.valid(s.CaseCreateSerializer)
            first = data.pop("first_interaction", None) or {}
            case = services.open_case(
                by=request.user,
                customer=data["customer"],
                team=data["team"],
                subject=data["subject"],
                category=data["category"],
                channel=data["channel"],
                priority=data["priority"],
                demeanour=data["demeanour"],
                assignee=request.user if data["assign_to_me"] else None,
                first_summary=first.get("summary", ""),
                first_minutes=first.get("minutes", 0),
            )
            return self._detail(case, status.HTTP_201_CREATED)

        return self.write(request, run)

    @extend_schema(
        summary="A case with its latest timeline events",
        responses={200: s.CaseDetailSerializer, **errors(404)},
        examples=[CASE_EXAMPLE],
    )
    def retrieve(self, request: Request, reference: str) -> Response:
        case = get_case_for(request.user, reference)
        record_view(request, case)  # the access log, as the case page writes it
        return self._detail(case)

    def _act(self, request: Request, reference: str, serializer: Any, change: Any) -> Response:
        case = get_case_for(request.user, reference)

        def run() -> Response:
            change(case, self.valid(serializer))
            return Response(s.CaseSerializer(get_case_for(request.user, reference)).data)

        return self.write(request, run)

    @_action_schema("Reassign a case", s.AssignSerializer, {"assignee": 7})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            reference,
            s.AssignSerializer,
            lambda case, data: services.reassign_case(
                case, by=request.user, assignee=data["assignee"]
            ),
        )

    @_action_schema("Change priority and/or demeanour", s.TriageSerializer, {"priority": "high"})
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            reference,
            s.TriageSerializer,
            lambda case, data: services.update_triage(case, by=request.user, **data),
        )

    @_action_schema(
        "Resolve a case",
        s.ResolveSerializer,
        {"outcome": "compromise", "summary": "Store credit of £20 accepted"},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            reference,
            s.ResolveSerializer,
            lambda case, data: services.resolve_case(case, by=request.user, **data),
        )

    @_action_schema("Reopen a resolved case", s.ReopenSerializer, {"reason": "Door dented again"})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, reference: str) -> Response:
        return self._act(
            request,
            reference,
            s.ReopenSerializer,
            lambda case, data: services.reopen_case(case, by=request.user, reason=data["reason"]),
        )
