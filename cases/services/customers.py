"""Every write to customers goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import transaction

from casedesk import languages

from ..models import Case, Channel, Customer, Team, User
from .cases import open_case


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
) -> Customer:
    """Register a customer with `team` as their home team (in CASEDESK_CUSTOMER_LANGUAGE
    unless told otherwise)."""
    return Customer.objects.create(
        team=team,
        created_by=by,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        preferred_channel=preferred_channel,
        preferred_language=preferred_language or languages.customer_default(),
        preferences=preferences,
        flags=sorted(set(flags)),
    )


@transaction.atomic
def update_customer(customer: Customer, *, by: User, **fields: object) -> Customer:
    """Change a customer's details (name, contact, preferences, flags)."""
    allowed = {
        "name",
        "email",
        "phone",
        "preferred_channel",
        "preferred_language",
        "preferences",
        "flags",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "flags":
            value = sorted(set(cast("Iterable[str]", value)))
        setattr(customer, name, value)
    customer.save()
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
