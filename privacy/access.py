"""Who may do what with a customer's data, and the record of who looked.

- `record_view(request, obj)`: one INSERT into the access log per page view.
- `get_customer_for_export`, `get_customer_for_admin`, `get_export_for`: a 404 for anyone
  who may not, so another team cannot tell the customer or the export exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest
from django.utils import timezone

from cases.access import get_customer_for
from cases.models import Case, Customer, Role, User

from .models import AccessLogEntry, ObjectType, SubjectAccessExport


def client_address(request: HttpRequest) -> str | None:
    """The address as django-axes sees it (its AXES_CLIENT_IP_CALLABLE / ipware settings),
    so sign-in throttling and the access log agree on who is behind a proxy."""
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    return address or None


def record_view(request: HttpRequest, obj: Case | Customer | SubjectAccessExport) -> None:
    """Note in the access log that the signed-in user opened `obj` (one INSERT).

    The view has already loaded the object, so its customer id costs nothing. A failure to
    write the entry fails the page: no one sees a customer's data without it being logged.
    """
    if isinstance(obj, Customer):
        object_type, customer_id = ObjectType.CUSTOMER, obj.pk
    elif isinstance(obj, Case):
        object_type, customer_id = ObjectType.CASE, obj.customer_id
    else:
        object_type, customer_id = ObjectType.EXPORT, obj.customer_id
    values = {
        "user_id": request.user.pk,
        "object_type": object_type,
        "object_id": obj.pk,
        "customer_id": customer_id,
        "at": timezone.now(),
        "address": client_address(request),
    }
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _insert_without_waiting_for_disk(values)
    else:
        AccessLogEntry.objects.create(**values)


# Measured (bench/access_log_cost.py): the INSERT's commit waited 4-5 ms (p95 10-16 ms) for
# the WAL to reach disk on this busy machine, most of what the log added to a page; with
# synchronous_commit off for this one statement's transaction it takes 0.1 ms. The cost:
# if PostgreSQL itself crashes, the last fraction of a second of access-log entries (never
# anything else) may be lost; the WAL writer flushes within 3 × wal_writer_delay (600 ms).
# One query string, so it is one implicit transaction and SET LOCAL ends with it.
_INSERT_SQL = (
    "SET LOCAL synchronous_commit TO OFF; "
    "INSERT INTO privacy_accesslogentry (user_id, object_type, object_id, customer_id, at, "
    "address) VALUES (%s, %s, %s, %s, %s, %s)"
)


def _insert_without_waiting_for_disk(values: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, list(values.values()))


def may_export(user: Any) -> bool:
    """By role alone: admins, and managers when CASEDESK_MANAGERS_MAY_EXPORT allows it
    (then only for customers of their teams, which `get_customer_for` enforces)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and settings.CASEDESK_MANAGERS_MAY_EXPORT


def get_customer_for_export(user: User, pk: int) -> Customer:
    """The customer if this user may export their data; 404 otherwise (whatever the reason:
    another team's customer and a forbidden export look the same)."""
    if not may_export(user):
        raise Http404("No such customer.")
    return get_customer_for(user, pk)


def get_customer_for_admin(user: User, pk: int) -> Customer:
    """For the access log and erasure: admins only. Someone who can see the customer but is
    not an admin is refused (403); anyone else gets a 404."""
    customer = get_customer_for(user, pk)
    if user.role != Role.ADMIN:
        raise PermissionDenied("Only an admin can do this.")
    return customer


def get_export_for(user: User, pk: int) -> SubjectAccessExport:
    """An export is shown to the person who asked for it, while they may still export."""
    export = (
        SubjectAccessExport.objects.select_related("customer")
        .filter(pk=pk, requested_by_id=user.pk)
        .first()
    )
    if export is None or not may_export(user):
        raise Http404("No such export.")
    # A manager moved to another team meanwhile loses the export with the customer.
    get_customer_for(user, export.customer_id)
    return export
