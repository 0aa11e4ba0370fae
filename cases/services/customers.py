"""Every write to customers goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from casedesk import languages

from ..models import (
    FLAG_REASON_NEEDED,
    Case,
    Channel,
    Customer,
    CustomerFlag,
    CustomerFlagNote,
    Team,
    User,
)
from .cases import open_case
from .erased import lock_live_customer
from .errors import NotAllowed

REASON_LIMIT = 2000
EDITABLE = {
    "name",
    "email",
    "phone",
    "preferred_channel",
    "preferred_language",
    "preferences",
    "flags",
}
# Saved with every change: Customer.save() recomputes them from the fields above.
DERIVED = ["email_normalised", "phone_normalised", "phone_reversed", "surname_key", "updated_at"]


def _clean_flags(flags: Iterable[str]) -> list[str]:
    chosen = sorted(set(flags))
    unknown = set(chosen) - set(CustomerFlag.values)
    if unknown:
        raise NotAllowed(
            gettext("Unknown customer flags: %(flags)s.") % {"flags": ", ".join(sorted(unknown))}
        )
    return chosen


def _note_flags(
    customer: Customer,
    *,
    before: Iterable[str],
    after: Iterable[str],
    by: User,
    reason: str,
    now: datetime,
) -> None:
    """One open note per flag added (who, when, why); the open notes of flags taken off are
    closed (who, when, and why when given). A flag added needs a reason."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    reason = reason.strip()
    if added and not reason:
        raise NotAllowed(str(FLAG_REASON_NEEDED))
    if len(reason) > REASON_LIMIT:
        raise NotAllowed(
            gettext("Keep the reason for the flags to %(limit)s characters.")
            % {"limit": REASON_LIMIT}
        )
    if removed:
        CustomerFlagNote.objects.filter(
            customer=customer, flag__in=removed, cleared_at__isnull=True
        ).update(cleared_at=now, cleared_by=by, cleared_reason=reason)
    CustomerFlagNote.objects.bulk_create(
        [
            CustomerFlagNote(customer=customer, flag=flag, set_by=by, set_at=now, reason=reason)
            for flag in added
        ]
    )


@transaction.atomic
def create_customer(
    *,
    by: User,
    team: Team,
    name: str,
    email: str = "",
    phone: str = "",
    preferred_channel: str = Channel.PHONE,
    preferred_language: str | None = None,
    preferences: str = "",
    flags: Iterable[str] = (),
    flags_reason: str = "",
) -> Customer:
    """Register a customer with `team` as their home team (in CASEDESK_CUSTOMER_LANGUAGE
    unless told otherwise). Flags need `flags_reason`."""
    chosen = _clean_flags(flags)
    customer = Customer.objects.create(
        team=team,
        created_by=by,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        preferred_channel=preferred_channel,
        preferred_language=preferred_language or languages.customer_default(),
        preferences=preferences,
        flags=chosen,
    )
    _note_flags(customer, before=(), after=chosen, by=by, reason=flags_reason, now=timezone.now())
    return customer


@transaction.atomic
def update_customer(
    customer: Customer, *, by: User, flags_reason: str = "", **fields: Any
) -> Customer:
    """Change a customer's details (name, contact, preferences, flags); a flag added needs
    `flags_reason`, a flag taken off may have one. Refused once the customer is erased.

    The row is locked and the flags compared with what it holds now, so two people
    flagging at once each get their note, and an erasure cannot be written back over.
    """
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")
    current = lock_live_customer(customer)
    if "flags" in fields:
        fields["flags"] = _clean_flags(fields["flags"])
        _note_flags(
            customer,
            before=current.flags,
            after=fields["flags"],
            by=by,
            reason=flags_reason,
            now=timezone.now(),
        )
    for name, value in fields.items():
        setattr(customer, name, value)
    # Only what changed (and what derives from it): a stale copy never writes back a
    # column someone else changed meanwhile.
    customer.save(update_fields=[*fields, *DERIVED])
    return customer


@transaction.atomic
def open_case_for_new_customer(
    *,
    by: User,
    team: Team,
    name: str,
    email: str = "",
    phone: str = "",
    preferred_language: str | None = None,
    **case_fields: Any,
) -> Case:
    """Register the customer and open their first case in one step: both or neither."""
    customer = create_customer(
        by=by,
        team=team,
        name=name,
        email=email,
        phone=phone,
        preferred_channel=case_fields.get("channel", Channel.PHONE),
        preferred_language=preferred_language,
    )
    return open_case(by=by, customer=customer, team=team, **case_fields)
