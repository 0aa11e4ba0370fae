"""Writes to the policy library. Every change writes a new PolicyVersion snapshot, so what
a case or request pointed at stays readable as it was."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from .defaults import POLICIES
from .models import AllowedException, Policy, PolicyVersion

POLICY_FIELDS = (
    "title",
    "category",
    "customer_wording",
    "internal_notes",
    "effective_from",
    "effective_to",
    "active",
)
EXCEPTION_FIELDS = (
    "name",
    "kind",
    "max_value",
    "staff_limit",
    "manager_limit",
    "customer_window_days",
    "guidance",
    "active",
)


class PolicyError(Exception):
    """A rule of the library refused the change; the message is fit to show the user."""


def check_limits(*, staff_limit: Decimal, manager_limit: Decimal, max_value: Decimal) -> None:
    if max_value <= 0:
        raise PolicyError(gettext("The maximum value must be more than zero."))
    if staff_limit < 0:
        raise PolicyError(gettext("The staff limit cannot be negative."))
    if not staff_limit <= manager_limit <= max_value:
        raise PolicyError(
            gettext("Limits must satisfy: staff limit ≤ manager limit ≤ maximum value.")
        )


def snapshot(policy: Policy, *, by: Any, note: str) -> PolicyVersion:
    """Write the next version of `policy` as it now stands, and point the policy at it."""
    # Lock the policy row so two admins saving at once get consecutive version numbers.
    Policy.objects.select_for_update().filter(pk=policy.pk).first()
    last = policy.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PolicyVersion.objects.create(
        policy=policy,
        number=last + 1,
        title=policy.title,
        category=policy.category,
        customer_wording=policy.customer_wording,
        internal_notes=policy.internal_notes,
        effective_from=policy.effective_from,
        effective_to=policy.effective_to,
        exceptions=[e.snapshot() for e in policy.allowed_exceptions.order_by("id")],
        change_note=note,
        created_by=by,
    )
    Policy.objects.filter(pk=policy.pk).update(current_version=version)
    policy.current_version = version
    return version


@transaction.atomic
def create_policy(
    *,
    by: Any,
    code: str,
    title: str,
    category: str,
    customer_wording: str,
    internal_notes: str = "",
    effective_from: date,
    effective_to: date | None = None,
    active: bool = True,
    exceptions: Sequence[dict[str, Any]] = (),
) -> Policy:
    """A new policy (version 1), optionally with its allowed exceptions."""
    if Policy.objects.filter(code__iexact=code).exists():
        raise PolicyError(gettext("A policy with code %(code)s already exists.") % {"code": code})
    if effective_to and effective_to < effective_from:
        raise PolicyError(gettext("The policy cannot end before it starts."))
    policy = Policy.objects.create(
        code=code,
        title=title,
        category=category,
        customer_wording=customer_wording,
        internal_notes=internal_notes,
        effective_from=effective_from,
        effective_to=effective_to,
        active=active,
    )
    for fields in exceptions:
        check_limits(
            staff_limit=Decimal(fields["staff_limit"]),
            manager_limit=Decimal(fields["manager_limit"]),
            max_value=Decimal(fields["max_value"]),
        )
        AllowedException.objects.create(policy=policy, **fields)
    with translation.override(settings.LANGUAGE_CODE):  # kept in the version history
        note = gettext("Created")
    snapshot(policy, by=by, note=note)
    return policy


@transaction.atomic
def revise_policy(policy: Policy, *, by: Any, note: str = "", **fields: Any) -> PolicyVersion:
    """Change a policy's wording, period or status; writes a new version."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown policy fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(policy, name, value)
    if policy.effective_to and policy.effective_to < policy.effective_from:
        raise PolicyError(gettext("The policy cannot end before it starts."))
    policy.save()
    if not note:
        with translation.override(settings.LANGUAGE_CODE):  # kept in the version history
            note = gettext("Policy edited")
    return snapshot(policy, by=by, note=note)


@transaction.atomic
def save_allowed_exception(
    policy: Policy,
    *,
    by: Any,
    allowed: AllowedException | None = None,
    note: str = "",
    **fields: Any,
) -> AllowedException:
    """Add an allowed exception to a policy, or change one; writes a new policy version."""
    unknown = set(fields) - set(EXCEPTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown exception fields: {sorted(unknown)}")
    if allowed is not None and allowed.policy_id != policy.pk:
        raise PolicyError(gettext("That exception belongs to another policy."))
    allowed = allowed or AllowedException(policy=policy)
    for name, value in fields.items():
        setattr(allowed, name, value)
    check_limits(
        staff_limit=allowed.staff_limit,
        manager_limit=allowed.manager_limit,
        max_value=allowed.max_value,
    )
    creating = allowed.pk is None
    allowed.save()
    if not note:
        with translation.override(settings.LANGUAGE_CODE):  # kept in the version history
            if creating:
                note = gettext("Exception added: %(name)s") % {"name": allowed.name}
            else:
                note = gettext("Exception changed: %(name)s") % {"name": allowed.name}
    snapshot(policy, by=by, note=note)
    return allowed


def install_default_library(*, by: Any, effective_from: date) -> list[Policy]:
    """The starter policy library from policies.defaults; policies already there stay."""
    created = []
    for spec in POLICIES:
        if Policy.objects.filter(code=spec["code"]).exists():
            continue
        created.append(
            create_policy(
                by=by,
                code=spec["code"],
                title=spec["title"],
                category=spec["category"],
                customer_wording=spec["customer_wording"],
                internal_notes=spec["internal_notes"],
                effective_from=effective_from,
                exceptions=[
                    {
                        **item,
                        **{
                            key: Decimal(item[key])
                            for key in ("max_value", "staff_limit", "manager_limit")
                        },
                    }
                    for item in spec["exceptions"]
                ],
            )
        )
    return created
