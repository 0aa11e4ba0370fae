from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Role
from policies import services as policy_services
from policies.models import AllowedException, Policy

from ..serializers import policies as s
from .base import WRITE_ERRORS, ApiViewSet, errors, require_admin

POLICY_EXAMPLE = OpenApiExample(
    "Policy",
    value={
        "code": "RET-30",
        "title": "30-day returns with receipt",
        "category": "returns",
        "customer_wording": "You can return an item within 30 days with its receipt.",
        "internal_notes": "",
        "effective_from": "2026-01-01",
        "effective_to": None,
        "active": True,
        "version": 3,
        "allowed_exceptions": [
            {
                "id": 9,
                "name": "Accept return past 30 days with receipt",
                "kind": "extension",
                "max_value": "200.00",
                "staff_limit": "30.00",
                "manager_limit": "100.00",
                "guidance": "Up to 14 days late",
                "active": True,
            }
        ],
        "updated_at": "2026-11-01T09:00:00Z",
    },
    response_only=True,
)
EXCEPTION_EXAMPLE = {
    "name": "Waive the restocking fee",
    "kind": "fee_waiver",
    "max_value": "50.00",
    "staff_limit": "10.00",
    "manager_limit": "50.00",
}


class PolicyViewSet(ApiViewSet):
    """The policy library: everyone reads the policies in force; admins read all and write,
    each change a new version."""

    serializer_class = s.PolicySerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,40}"
    ordering = "code"

    def _admin(self) -> bool:
        return self.request.user.role == Role.ADMIN

    def get_queryset(self) -> QuerySet[Policy]:
        policies = Policy.objects.select_related("current_version").prefetch_related(
            "allowed_exceptions"
        )
        return policies if self._admin() else policies.filter(active=True)

    def _policy(self, code: str) -> Policy:
        policy = self.get_queryset().filter(code=code).first()
        if policy is None:
            raise Http404(_("No such policy."))
        return policy

    def _out(self, policy: Policy, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.PolicySerializer(policy, context={"admin": self._admin()}).data, code)

    @extend_schema(
        summary="The policy library",
        responses={200: s.PolicySerializer(many=True), **errors(400)},
        examples=[POLICY_EXAMPLE],
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = s.PolicySerializer(page, many=True, context={"admin": self._admin()}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="A policy and its allowed exceptions",
        responses={200: s.PolicySerializer, **errors(404)},
        examples=[POLICY_EXAMPLE],
    )
    def retrieve(self, request: Request, code: str) -> Response:
        return self._out(self._policy(code))

    @extend_schema(
        summary="Add a policy (admins); version 1",
        request=s.PolicyWriteSerializer,
        responses={201: s.PolicySerializer, **errors(403, *WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "New policy",
                value={
                    "code": "RET-30",
                    "title": "30-day returns with receipt",
                    "category": "returns",
                    "customer_wording": "You can return an item within 30 days.",
                    "effective_from": "2026-01-01",
                },
                request_only=True,
            ),
            POLICY_EXAMPLE,
        ],
    )
    def create(self, request: Request) -> Response:
        require_admin(request, _("Only admins edit the policy library."))

        def run() -> Response:
            data = dict(self.valid(s.PolicyWriteSerializer))
            data.pop("note")
            policy = policy_services.create_policy(by=request.user, **data)
            return self._out(self._policy(policy.code), status.HTTP_201_CREATED)

        return self.write(request, run)

    @extend_schema(
        summary="Revise a policy (admins): writes a new version",
        request=s.PolicyWriteSerializer,
        responses={200: s.PolicySerializer, **errors(403, *WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "New wording",
                value={"customer_wording": "Returns within 30 days.", "note": "Plainer"},
                request_only=True,
            ),
            POLICY_EXAMPLE,
        ],
    )
    def partial_update(self, request: Request, code: str) -> Response:
        require_admin(request, _("Only admins edit the policy library."))
        policy = self._policy(code)

        def run() -> Response:
            data = dict(self.valid(s.PolicyWriteSerializer, instance=policy, partial=True))
            note = data.pop("note", "")
            policy_services.revise_policy(policy, by=request.user, note=note, **data)
            return self._out(self._policy(code))

        return self.write(request, run)

    def _save_exception(
        self, request: Request, code: str, allowed: AllowedException | None, partial: bool
    ) -> Response:
        require_admin(request, _("Only admins edit the policy library."))
        policy = self._policy(code)

        def run() -> Response:
            data = dict(
                self.valid(s.AllowedExceptionWriteSerializer, instance=allowed, partial=partial)
            )
            note = data.pop("note", "")
            policy_services.save_allowed_exception(
                policy, by=request.user, allowed=allowed, note=note, **data
            )
            created = status.HTTP_201_CREATED if allowed is None else status.HTTP_200_OK
            return self._out(self._policy(code), created)

        return self.write(request, run)

    @extend_schema(
        summary="Add an allowed exception (admins): writes a new policy version",
        request=s.AllowedExceptionWriteSerializer,
        responses={201: s.PolicySerializer, **errors(403, *WRITE_ERRORS)},
        examples=[
            OpenApiExample("Fee waiver", value=EXCEPTION_EXAMPLE, request_only=True),
            POLICY_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"], url_path="exceptions")
    def add_exception(self, request: Request, code: str) -> Response:
        return self._save_exception(request, code, None, partial=False)

    @extend_schema(
        summary="Change an allowed exception (admins): writes a new policy version",
        request=s.AllowedExceptionWriteSerializer,
        responses={200: s.PolicySerializer, **errors(403, *WRITE_ERRORS)},
        examples=[
            OpenApiExample("Higher staff limit", value={"staff_limit": "20.00"}, request_only=True),
            POLICY_EXAMPLE,
        ],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"exceptions/(?P<exception_id>[0-9]{1,18})",
    )
    def change_exception(self, request: Request, code: str, exception_id: str) -> Response:
        require_admin(request, _("Only admins edit the policy library."))
        allowed = AllowedException.objects.filter(pk=int(exception_id), policy__code=code).first()
        if allowed is None:
            raise Http404(_("No such allowed exception."))
        return self._save_exception(request, code, allowed, partial=True)
