"""Who may export, see the access log and erase; the pages and the access log entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from privacy import services
from privacy.models import AccessLogEntry, Erasure, SubjectAccessExport

pytestmark = pytest.mark.django_db


def urls(customer) -> dict[str, str]:
    return {
        "page": reverse("privacy_customer", args=[customer.pk]),
        "access_log": reverse("privacy_access_log", args=[customer.pk]),
        "erase": reverse("privacy_erase", args=[customer.pk]),
    }


def test_another_teams_manager_cannot_export_or_see_the_access_log(
    signed_in, customer, other_team_manager, settings
):
    settings.CASEDESK_MANAGERS_MAY_EXPORT = True
    client = signed_in(other_team_manager)
    for url in urls(customer).values():
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("privacy_export_create", args=[customer.pk])).status_code == 404
    assert not SubjectAccessExport.objects.exists()


def test_staff_cannot_erase_or_export(signed_in, customer, staff):
    client = signed_in(staff)
    assert client.get(urls(customer)["erase"]).status_code == 403
    assert (
        client.post(urls(customer)["erase"], {"reason": "x", "confirmed": "yes"}).status_code == 403
    )
    assert client.get(urls(customer)["access_log"]).status_code == 403
    assert client.get(urls(customer)["page"]).status_code == 404
    assert not Erasure.objects.exists()


def test_a_manager_of_the_team_exports_only_when_the_setting_allows(
    signed_in, customer, manager, settings
):
    client = signed_in(manager)
    create = reverse("privacy_export_create", args=[customer.pk])
    settings.CASEDESK_MANAGERS_MAY_EXPORT = False
    assert client.post(create).status_code == 404
    assert b"data-protection-link" not in client.get(customer.get_absolute_url()).content
    settings.CASEDESK_MANAGERS_MAY_EXPORT = True
    assert b"data-protection-link" in client.get(customer.get_absolute_url()).content
    response = client.post(create)
    export = SubjectAccessExport.objects.get()
    assert response.url == reverse("privacy_export", args=[export.pk])
    # Not the access log, nor erasure: those are admins'.
    assert client.get(urls(customer)["access_log"]).status_code == 403


def test_an_export_is_shown_only_to_whoever_asked(signed_in, customer, admin_user, team):
    from cases.models import Role
    from tests.factories import UserFactory

    export = services.request_export(customer, by=admin_user)
    other_admin = UserFactory(username="admin2", role=Role.ADMIN)
    client = signed_in(other_admin)
    assert client.get(reverse("privacy_export", args=[export.pk])).status_code == 404
    assert client.post(reverse("privacy_export_download", args=[export.pk])).status_code == 404


def test_opening_a_profile_or_a_case_writes_one_access_log_entry(signed_in, customer, case, staff):
    client = signed_in(staff)
    client.get(customer.get_absolute_url(), REMOTE_ADDR="203.0.113.9")
    client.get(case.get_absolute_url(), REMOTE_ADDR="203.0.113.9")

    entries = list(AccessLogEntry.objects.order_by("id").values_list(
        "user_id", "object_type", "object_id", "customer_id", "address"
    ))  # fmt: skip
    assert entries == [
        (staff.pk, "customer", customer.pk, customer.pk, "203.0.113.9"),
        (staff.pk, "case", case.pk, customer.pk, "203.0.113.9"),
    ]


def test_a_page_someone_may_not_see_writes_nothing(signed_in, customer, other_team_staff):
    signed_in(other_team_staff).get(customer.get_absolute_url())
    assert not AccessLogEntry.objects.exists()


def test_the_access_log_page_lists_who_looked(signed_in, customer, case, staff, admin_user):
    signed_in(staff).get(case.get_absolute_url())
    client = signed_in(admin_user)
    body = client.get(urls(customer)["access_log"]).content.decode()
    assert "Sam Staff" in body and case.reference in body


def test_the_access_log_is_append_only(signed_in, customer, staff):
    signed_in(staff).get(customer.get_absolute_url())
    entry = AccessLogEntry.objects.get()
    with pytest.raises(TypeError):
        entry.save()


def test_erasure_asks_for_a_reason_then_a_confirmation(signed_in, customer, case, admin_user):
    Case.objects.filter(pk=case.pk).update(status="closed", outcome="within_policy",
                                           resolved_at=case.created_at)  # fmt: skip
    client = signed_in(admin_user)
    url = urls(customer)["erase"]
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400 and b"This field is required" in empty.content
    confirm = client.post(url, {"reason": "Letter of 3 March"})
    assert b"Erase permanently" in confirm.content and b"Letter of 3 March" in confirm.content
    assert not Erasure.objects.exists()
    done = client.post(url, {"reason": "Letter of 3 March", "confirmed": "yes"})
    assert done.url == customer.get_absolute_url()
    assert Erasure.objects.get().reason == "Letter of 3 March"


def test_an_open_case_needs_the_override_and_what_was_typed_comes_back(
    signed_in, customer, case, admin_user
):
    client = signed_in(admin_user)
    url = urls(customer)["erase"]
    refused = client.post(url, {"reason": "Letter of 3 March", "confirmed": "yes"})
    assert refused.status_code == 400
    assert case.reference.encode() in refused.content and b"Letter of 3 March" in refused.content
    no_why = client.post(url, {"reason": "Letter", "override": "on", "confirmed": "yes"})
    assert no_why.status_code == 400 and b"cannot wait" in no_why.content
    assert not Erasure.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_entry_is_written_by_the_quick_insert(signed_in, case, staff):
    """In production (autocommit) PostgreSQL takes the one-statement insert that does not
    wait for the disk; the row is the same."""
    signed_in(staff).get(case.get_absolute_url(), REMOTE_ADDR="2001:db8::7")
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.object_type, entry.object_id) == (staff, "case", case.pk)
    assert (entry.customer_id, entry.address) == (case.customer_id, "2001:db8::7")


def test_no_privacy_page_or_download_is_stored(signed_in, customer, case, admin_user):
    """Every route of the app (the export's ZIP above all) carries Cache-Control: no-store."""
    from django.urls import get_resolver

    from privacy import export as builder

    Case.objects.filter(pk=case.pk).update(
        status="closed", outcome="within_policy", resolved_at=case.created_at
    )
    client = signed_in(admin_user)
    export = services.request_export(customer, by=admin_user)
    builder.build(export.pk)
    calls = {
        "privacy_customer": ("get", [customer.pk]),
        "privacy_access_log": ("get", [customer.pk]),
        "privacy_erase": ("get", [customer.pk]),
        "privacy_export": ("get", [export.pk]),
        "privacy_export_download": ("post", [export.pk]),
        "privacy_export_create": ("post", [customer.pk]),
    }
    names = {p.name for p in get_resolver("privacy.urls").url_patterns}
    assert names == set(calls)  # a new route must be added here
    for name, (method, args) in calls.items():
        response = getattr(client, method)(reverse(name, args=args))
        assert response.status_code < 400, name
        assert "no-store" in response.get("Cache-Control", ""), name


@pytest.mark.parametrize("method", ["post", "patch", "delete", "put"])
def test_the_read_only_privacy_pages_answer_only_get_and_head(
    method, signed_in, customer, admin_user
):
    export = services.request_export(customer=customer, by=admin_user)
    client = signed_in(admin_user)
    pages = [
        urls(customer)["page"],
        urls(customer)["access_log"],
        reverse("privacy_export", args=[export.pk]),
    ]
    for url in pages:
        assert getattr(client, method)(url).status_code == 405, url
        assert client.head(url).status_code == 200, url
