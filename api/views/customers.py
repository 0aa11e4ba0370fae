from __future__ import annotations

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from cases import services
from cases.access import get_customer_for
from cases.models import Customer
from privacy.access import record_view

from ..serializers.customers import (
    CustomerSerializer,
    CustomerUpdateSerializer,
    CustomerWriteSerializer,
)
from .base import WRITE_ERRORS, ApiViewSet, errors

CUSTOMER_EXAMPLE = OpenApiExample(
    "Customer",
    value={
        "id": 42,
        "name": "Dana Whitfield",
        "email": "dana@example.com",
        "phone": "+44 7700 900101",
        "preferred_channel": "phone",
        "preferred_language": "en-gb",
        "preferences": "Prefers calls after 5pm",
        "flags": ["vip"],
        "team": {"id": 1, "name": "Downtown store"},
        "created_at": "2026-11-02T10:15:00Z",
        "updated_at": "2026-11-02T10:15:00Z",
        "erased_at": None,
    },
    response_only=True,
)
NEW_CUSTOMER = OpenApiExample(
    "New customer",
    value={"name": "Dana Whitfield", "phone": "07700 900101", "preferred_channel": "phone"},
    request_only=True,
)


class CustomerViewSet(ApiViewSet):
    """Customers of your teams (admins: all)."""

    serializer_class = CustomerSerializer
    ordering = "name"
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.visible_to(self.request.user).select_related("team")

    @extend_schema(
        summary="List or search customers",
        parameters=[
            OpenApiParameter(
                "q", str, description="Part of a name, an email's start, or phone digits."
            )
        ],
        responses={200: CustomerSerializer(many=True), **errors(400)},
        examples=[CUSTOMER_EXAMPLE],
    )
    def list(self, request: Request) -> Response:
        customers = self.get_queryset()
        query = request.query_params.get("q", "").strip()[:200]
        if query:
            # The customer list page's search: name words, email start, phone digits.
            digits = "".join(c for c in query if c.isdigit())
            customers = customers.filter(
                Q(name__icontains=query)
                | Q(email_normalised__startswith=query.lower())
                | Q(phone_normalised__contains=digits or query)
            )
        page = self.paginate_queryset(customers)
        return self.get_paginated_response(CustomerSerializer(page, many=True).data)

    @extend_schema(
        summary="Register a customer",
        request=CustomerWriteSerializer,
        responses={201: CustomerSerializer, **errors(*WRITE_ERRORS)},
        examples=[NEW_CUSTOMER, CUSTOMER_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        def run() -> Response:
            data = self.valid(CustomerWriteSerializer)
            customer = services.create_customer(by=request.user, **data)
            return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

        return self.write(request, run)

    @extend_schema(
        summary="A customer",
        responses={200: CustomerSerializer, **errors(404)},
        examples=[CUSTOMER_EXAMPLE],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        customer = get_customer_for(request.user, int(pk))
        record_view(request, customer)  # the access log, as the customer page writes it
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        summary="Change a customer's details",
        request=CustomerUpdateSerializer,
        responses={200: CustomerSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample("New phone", value={"phone": "+44 7700 900202"}, request_only=True),
            CUSTOMER_EXAMPLE,
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        customer = get_customer_for(request.user, int(pk))

        def run() -> Response:
            data = self.valid(CustomerUpdateSerializer, instance=customer, partial=True)
            services.update_customer(customer, by=request.user, **data)
            return Response(CustomerSerializer(customer).data)

        return self.write(request, run)
