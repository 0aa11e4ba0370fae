"""The policy library: everyone reads it, admins edit it, every edit is a version."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies import services
from policies.models import AllowedException, Policy, PolicyVersion

pytestmark = pytest.mark.django_db


def test_editing_a_policy_makes_a_new_version_and_keeps_the_old(policy, admin_user):
    services.revise_policy(policy, by=admin_user, note="Clearer", customer_wording="New words")
    assert [v.number for v in policy.versions.order_by("number")] == [1, 2]
    assert policy.versions.get(number=1).customer_wording.startswith("The diagnostic fee")
    assert Policy.objects.get(pk=policy.pk).current_version.customer_wording == "New words"


def test_versions_are_never_edited(policy):
    version = policy.versions.get()
    version.title = "rewritten"
    with pytest.raises(TypeError):
        version.save()


def test_limits_must_be_ordered(policy, admin_user):
    with pytest.raises(services.PolicyError):
        services.save_allowed_exception(
            policy,
            by=admin_user,
            name="x",
            kind="refund",
            max_value=Decimal("50"),
            staff_limit=Decimal("60"),
            manager_limit=Decimal("55"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AllowedException.objects.create(
            policy=policy,
            name="x",
            kind="refund",
            max_value=Decimal("50"),
            staff_limit=Decimal("10"),
            manager_limit=Decimal("80"),
        )


def test_a_zero_staff_limit_means_managers_only(policy, admin_user):
    services.save_allowed_exception(
        policy,
        by=admin_user,
        name="Waive fee",
        kind="fee_waiver",
        max_value=Decimal("50"),
        staff_limit=Decimal("0"),
        manager_limit=Decimal("50"),
    )
    assert policy.versions.count() == 2
    assert any(e["name"] == "Waive fee" for e in policy.versions.get(number=2).exceptions)


def test_everyone_browses_and_searches_the_library(signed_in, staff, policy):
    client = signed_in(staff)
    page = client.get(reverse("policy_list")).content.decode()
    assert "Diagnostic fee is non-refundable" in page and "Refund the fee as store credit" in page
    assert "New policy" not in page
    assert (
        "Diagnostic" in client.get(reverse("policy_list"), {"q": "store credit"}).content.decode()
    )
    assert "Diagnostic" not in client.get(reverse("policy_list"), {"q": "zebra"}).content.decode()
    detail = client.get(reverse("policy_detail", args=[policy.code])).content.decode()
    assert "Version 1" in detail and "Edit policy" not in detail


def test_staff_and_managers_cannot_edit(signed_in, staff, manager, policy):
    for user in (staff, manager):
        client = signed_in(user)
        assert client.get(reverse("policy_create")).status_code == 403
        assert (
            client.post(reverse("policy_edit", args=[policy.code]), {"title": "x"}).status_code
            == 403
        )
        assert client.get(reverse("exception_create", args=[policy.code])).status_code == 403
    assert Policy.objects.get(pk=policy.pk).title == "Diagnostic fee is non-refundable"


def test_anonymous_sees_nothing(client, policy):
    for url in [reverse("policy_list"), reverse("policy_detail", args=[policy.code])]:
        assert client.get(url).status_code == 302


def test_admin_creates_a_policy_and_an_exception_in_the_app(signed_in, admin_user):
    client = signed_in(admin_user)
    response = client.post(
        reverse("policy_create"),
        {
            "code": "ret-30",
            "title": "30-day returns with receipt",
            "category": "returns",
            "customer_wording": "Bring it back within 30 days with the receipt.",
            "effective_from": "2026-01-01",
            "active": "on",
        },
    )
    assert response.status_code == 302
    policy = Policy.objects.get(code="RET-30")
    response = client.post(
        reverse("exception_create", args=[policy.code]),
        {
            "name": "Accept past 30 days",
            "kind": "extension",
            "max_value": "100",
            "staff_limit": "20",
            "manager_limit": "60",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert policy.allowed_exceptions.get().manager_limit == Decimal("60")
    assert policy.versions.count() == 2


def test_invalid_limits_come_back_next_to_the_field(signed_in, admin_user, policy):
    response = signed_in(admin_user).post(
        reverse("exception_create", args=[policy.code]),
        {
            "name": "Too generous",
            "kind": "refund",
            "max_value": "50",
            "staff_limit": "70",
            "manager_limit": "60",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The staff limit cannot be above the manager limit." in body
    assert "The manager limit cannot be above the maximum." in body
    assert 'value="Too generous"' in body and 'value="70"' in body
    assert policy.versions.count() == 1


def test_policy_ending_before_it_starts_is_refused(signed_in, admin_user, policy):
    response = signed_in(admin_user).post(
        reverse("policy_edit", args=[policy.code]),
        {
            "title": policy.title,
            "category": "fees",
            "customer_wording": "x",
            "effective_from": "2026-05-01",
            "effective_to": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "The policy cannot end before it starts." in response.content.decode()
    assert policy.versions.count() == 1


def test_version_page_shows_the_old_limits(signed_in, staff, admin_user, policy, allowed):
    services.save_allowed_exception(
        policy, by=admin_user, allowed=allowed, staff_limit=Decimal("50")
    )
    old = signed_in(staff).get(reverse("policy_version", args=[policy.code, 1])).content.decode()
    assert "25.00" in old
    new = signed_in(staff).get(reverse("policy_version", args=[policy.code, 2])).content.decode()
    assert "50.00" in new


def test_library_runs_fixed_queries(signed_in, staff, admin_user):
    from datetime import date

    client = signed_in(staff)

    def add(start, n):
        for i in range(start, start + n):
            services.create_policy(
                by=admin_user,
                code=f"P-{i}",
                title=f"Policy {i}",
                category="other",
                customer_wording="w",
                effective_from=date(2026, 1, 1),
                exceptions=[
                    {
                        "name": f"E{i}",
                        "kind": "refund",
                        "max_value": Decimal("10"),
                        "staff_limit": Decimal("1"),
                        "manager_limit": Decimal("5"),
                    }
                ],
            )

    add(0, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("policy_list"))
    add(3, 20)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("policy_list")).content.decode()
    assert len(many) == len(few) <= 12
    assert body.count("Allowed exceptions") == 23


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_saving_at_once_get_consecutive_versions(policy, admin_user):
    import threading

    barrier = threading.Barrier(4)

    def edit(i):
        try:
            barrier.wait(timeout=60)
            services.revise_policy(
                Policy.objects.get(pk=policy.pk),
                by=admin_user,
                note=f"edit {i}",
                internal_notes=str(i),
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    numbers = sorted(PolicyVersion.objects.filter(policy=policy).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]


def test_adding_an_exception_is_a_new_version_with_the_same_wording(
    signed_in, staff, admin_user, policy, allowed, case
):
    """A new version, because requests pin the version whose exceptions and limits they
    were decided under; marked "wording unchanged" in the history, because what staff read
    to customers did not change (README, design notes)."""
    from cases import services as case_services

    before = case_services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("5.00"),
        customer_ask="Credit please",
        justification="Small",
    )
    first = policy.current_version
    added = services.save_allowed_exception(
        policy,
        by=admin_user,
        name="Waive the fee for a repeat fault",
        kind="fee_waiver",
        max_value=Decimal("80.00"),
        staff_limit=Decimal("0.00"),
        manager_limit=Decimal("80.00"),
    )
    policy.refresh_from_db()
    second = policy.current_version
    assert second.number == first.number + 1
    assert second.customer_wording == first.customer_wording
    assert [e["name"] for e in second.exceptions] == [allowed.name, added.name]
    # The earlier request keeps the version it was made under; a new one gets the new list.
    before.refresh_from_db()
    assert before.policy_version_id == first.pk
    after = case_services.request_exception(
        case,
        by=staff,
        allowed=added,
        value=Decimal("40.00"),
        customer_ask="Waive it",
        justification="Same fault twice",
    )
    assert after.policy_version_id == second.pk
    page = signed_in(staff).get(policy.get_absolute_url()).content.decode()
    history = page[page.index("Version history") :]
    assert history.count("Wording unchanged; allowed exceptions or limits changed.") == 1


def test_a_wording_edit_is_not_marked_unchanged(signed_in, staff, admin_user, policy):
    services.revise_policy(
        policy, by=admin_user, customer_wording="The fee pays for the visit.", note="Wording"
    )
    page = signed_in(staff).get(policy.get_absolute_url()).content.decode()
    assert "Wording unchanged" not in page
