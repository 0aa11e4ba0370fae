"""Every write to customers goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import transaction

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
    preferences: str = "",
    flags: Iterable[str] = (),
) -> Customer:
    """Register a customer with `team` as their home team."""
    return Customer.objects.create(
        team=team,
        created_by=by,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        preferred_channel=preferred_channel,
        preferences=preferences,
        flags=sorted(set(flags)),
    )


@transaction.atomic
def update_customer(customer: Customer, *, by: User, **fields: object) -> Customer:
    """Change a customer's details (name, contact, preferences, flags)."""
    allowed = {"name", "email", "phone", "preferred_channel", "preferences", "flags"}
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
    *, by: User, team: Team, name: str, email: str = "", phone: str = "", **case_fields: Any
) -> Case:
    """Register the customer and open their first case in one step: both or neither."""
    customer = create_customer(
        by=by,
        team=team,
        name=name,
        email=email,
        phone=phone,
        preferred_channel=case_fields.get("channel", Channel.PHONE),
    )
    return open_case(by=by, customer=customer, team=team, **case_fields)
