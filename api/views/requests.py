from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions, services
from cases.access import get_case_for, get_request_for
from cases.models import ExceptionRequest

from ..serializers import requests as s
from .base import WRITE_ERRORS, ApiViewSet, errors, require

REQUEST_EXAMPLE = OpenApiExample(
    "Exception request",
    value={
        "id": 55,
        "case": "CD-000123",
        "exception_name": "Waive the restocking fee",
        "kind": "fee_waiver",
        "allowed_exception": 9,
        "policy_version": 14,
        "off_policy": False,
        "value": "30.00",
        "status": "pending",
        "required_level": "manager",
        "customer_ask": "Return without the restocking fee",
        "justification": "Box damaged by our courier",
        "requested_by": {"id": 7, "name": "Sam Staff", "username": "sam"},
        "requested_at": "2026-11-02T10:25:00Z",
        "granted_value": None,
        "decided_by": None,
        "decided_at": None,
        "decision_reason": "",
    },
    response_only=True,
)
RELATED = ("case", "case__team", "requested_by", "decided_by")


class CaseRequestViewSet(ApiViewSet):
    """Exception requests on one case: granted at once within your discretion, otherwise
    waiting for a decision."""

    serializer_class = s.ExceptionRequestSerializer
    ordering = "requested_at"

    @extend_schema(
        summary="A case's exception requests",
        responses={200: s.ExceptionRequestSerializer(many=True), **errors(400, 404)},
        examples=[REQUEST_EXAMPLE],
    )
    def list(self, request: Request, reference: str) -> Response:
        case = get_case_for(request.user, reference)
        rows = case.exception_requests.select_related("requested_by", "decided_by")
        page = self.paginate_queryset(rows)
        for row in page:
            row.case = case
        return self.get_paginated_response(s.ExceptionRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="Request an exception",
        request=s.ExceptionRequestCreateSerializer,
        responses={201: s.ExceptionRequestSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Within a policy",
                value={
                    "allowed_exception": 9,
                    "value": "30.00",
                    "customer_ask": "Return without the restocking fee",
                    "justification": "Box damaged by our courier",
                },
                request_only=True,
            ),
            REQUEST_EXAMPLE,
        ],
    )
    def create(self, request: Request, reference: str) -> Response:
        case = get_case_for(request.user, reference)

        def run() -> Response:
            data = self.valid(s.ExceptionRequestCreateSerializer)
            created = services.request_exception(
                case,
                by=request.user,
                allowed=data["allowed_exception"],
                policy=data["policy"],
                value=data["value"],
                customer_ask=data["customer_ask"],
                justification=data["justification"],
            )
            body = s.ExceptionRequestSerializer(created).data
            return Response(body, status=status.HTTP_201_CREATED)

        return self.write(request, run)


class ExceptionRequestViewSet(ApiViewSet):
    """Requests you may see; the list is what waits for your decision, oldest first."""

    serializer_class = s.ExceptionRequestSerializer
    ordering = "requested_at"
    lookup_value_regex = r"[0-9]{1,18}"

    @extend_schema(
        summary="Requests waiting for your decision (managers and admins)",
        responses={200: s.ExceptionRequestSerializer(many=True), **errors(400, 403)},
        examples=[REQUEST_EXAMPLE],
    )
    def list(self, request: Request) -> Response:
        require(request, permissions.can_see_approvals, _("Approvals are for managers and admins."))
        rows = ExceptionRequest.objects.decidable_by(request.user).select_related(*RELATED)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.ExceptionRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="An exception request",
        responses={200: s.ExceptionRequestSerializer, **errors(404)},
        examples=[REQUEST_EXAMPLE],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.ExceptionRequestSerializer(get_request_for(request.user, int(pk))).data)

    def _decided(self, request: Request, pk: str, check: Any, change: Any) -> Response:
        exception_request = get_request_for(request.user, int(pk))
        check(exception_request)

        def run() -> Response:
            changed = change(exception_request)
            return Response(s.ExceptionRequestSerializer(changed).data)

        return self.write(request, run)

    @extend_schema(
        summary="Approve, counter-offer or deny (once, with a reason)",
        request=s.DecisionSerializer,
        responses={200: s.ExceptionRequestSerializer, **errors(403, *WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Counter-offer",
                value={
                    "decision": "counter",
                    "reason": "Half the fee, as a goodwill gesture",
                    "counter_value": "15.00",
                },
                request_only=True,
            ),
            REQUEST_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        def check(item: ExceptionRequest) -> None:
            if item.requested_by_id == request.user.pk:
                raise exceptions.PermissionDenied(_("Nobody decides their own request."))
            if item.is_pending and not permissions.can_decide(request.user, item):
                raise exceptions.PermissionDenied(
                    _("This request needs someone with the authority.")
                )

        def change(item: ExceptionRequest) -> ExceptionRequest:
            data = self.valid(s.DecisionSerializer)
            return services.decide_exception(item, by=request.user, **data)

        return self._decided(request, pk, check, change)

    @extend_schema(
        summary="Withdraw your own request while it waits",
        request=s.WithdrawSerializer,
        responses={200: s.ExceptionRequestSerializer, **errors(403, *WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Withdraw", value={"reason": "Customer changed their mind"}, request_only=True
            ),
            REQUEST_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        def check(item: ExceptionRequest) -> None:
            # A request no longer waiting is the service's 409, whoever asks.
            if item.is_pending and not permissions.can_withdraw(request.user, item):
                raise exceptions.PermissionDenied(_("Only the person who asked can withdraw."))

        def change(item: ExceptionRequest) -> ExceptionRequest:
            data = self.valid(s.WithdrawSerializer)
            return services.withdraw_exception(item, by=request.user, reason=data["reason"])

        return self._decided(request, pk, check, change)
