"""A customer with every kind of data CaseDesk keeps, written through the services, and a
search of every text column of every table for what identifies them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from cases import services
from cases.models import Case, Customer, Reminder, ReminderKind, ReminderState


@dataclass
class Person:
    name: str
    email: str
    phone: str
    phrase: str  # a phrase only this customer's interactions contain

    @property
    def needles(self) -> list[str]:
        digits = "".join(c for c in self.phone if c.isdigit())
        # The number's reversed digits and the surname are kept for search as you type.
        surname = self.name.split()[-1]
        return [self.name, self.email, self.phone, digits, digits[::-1], surname, self.phrase]


DANA = Person(
    name="Philippa Quenby-Marsh",
    email="philippa.qm@example.org",
    phone="+44 7700 900555",
    phrase="zebra-striped umbrella stand",
)
OTHER = Person(
    name="Barnaby Oyelaran",
    email="barnaby.o@example.net",
    phone="+44 7700 900777",
    phrase="copper kettle with a wobbly lid",
)


@dataclass
class World:
    customer: Customer
    cases: list[Case]
    ids: dict[str, list[int]] = field(default_factory=dict)


def build_world(
    person: Person, *, team: Any, staff: Any, manager: Any, admin: Any, category: Any, allowed: Any
) -> World:
    """Profile and flags (who set them and why, one taken off again), two cases (one
    resolved with everything, one closed), interactions with a promise, granted /
    approved / denied exception requests, tasks done and open,
    a customer update email (sent) and a feedback request (answered, low: recovery task),
    a case study, a Django admin history line."""
    now = timezone.now()
    name, phrase = person.name, person.phrase
    customer = services.create_customer(
        by=staff,
        team=team,
        name=name,
        email=person.email,
        phone=person.phone,
        preferences=f"Prefers calls after five; ask for {name}, never mention the {phrase}",
        flags=["frequent_returner", "two_staff", "vip"],
        flags_reason=f"{name} threw the {phrase} at a colleague",
    )
    # One flag taken off again, with a reason: its note is kept, closed.
    services.update_customer(
        customer,
        by=manager,
        flags=["frequent_returner", "two_staff"],
        flags_reason=f"Not valued after the {phrase} incident",
    )
    case = services.open_case(
        by=staff,
        customer=customer,
        team=team,
        subject=f"{name}: {phrase} arrived cracked",
        category=category,
        channel="phone",
        assignee=staff,
        first_summary=f"{name} rang from {person.phone} about the {phrase}; email {person.email}",
        first_minutes=12,
    )
    services.log_interaction(
        case,
        by=staff,
        channel="phone",
        direction="outbound",
        demeanour="angry",
        minutes=7,
        summary=f"Called back about the {phrase}; customer shouted",
        promise=f"Ring {name} on Friday about the {phrase}",
        promise_due_at=now + timedelta(days=2),
    )
    services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("20.00"),
        customer_ask=f"{name} wants the {phrase} refunded",
        justification=f"{phrase} was cracked",
    )
    approved = services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("80.00"),
        customer_ask=f"Full credit for the {phrase}",
        justification=f"Loyal since 2019, {name}",
    )
    services.decide_exception(
        approved,
        by=manager,
        decision="counter",
        counter_value=Decimal("60.00"),
        reason=f"{name} gets 60 for the {phrase}",
    )
    denied = services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("20.00"),  # 100.00 with the rest: still a manager's to decide
        customer_ask=f"And a new {phrase}",
        justification="Goodwill",
    )
    services.decide_exception(denied, by=manager, decision="deny", reason=f"Not for {name}")
    task = services.add_task(
        case,
        by=staff,
        title=f"Post the {phrase} to {name}",
        kind="deliver_promise",
        assignee=staff,
        due_at=now + timedelta(days=1),
    )
    services.complete_task(task, by=staff, outcome_note=f"Posted to {person.email}'s address")
    case = services.resolve_case(
        Case.objects.get(pk=case.pk),
        by=staff,
        outcome="compromise",
        summary=f"{name} accepted 60 credit for the {phrase}",
        email_customer=True,
        next_step=f"We post the {phrase} on Monday",
        reflection=f"Should have called {name} sooner",
    )
    # The "what happens next" email went out (an earlier try bounced, quoting the address).
    Reminder.objects.filter(case=case, kind=ReminderKind.CUSTOMER_UPDATE).update(
        state=ReminderState.SENT, sent_at=now, last_error=f"452 {person.email}: mailbox full"
    )
    feedback = services.schedule_feedback(case, send_at=now - timedelta(minutes=1))
    assert feedback is not None
    services.submit_feedback(feedback, rating=2, comment=f"The {phrase} took ages. {name}")
    services.schedule_feedback(case, send_at=now + timedelta(days=3))  # a second, unsent
    services.mark_case_study(
        case,
        by=manager,
        kind="lesson",
        title=f"The {phrase} saga",
        write_up=f"{name} called four times about the {phrase}.",
    )
    old = services.open_case(
        by=staff,
        customer=customer,
        team=team,
        subject=f"Gift card for {name}",
        category=category,
        channel="email",
        first_summary=f"{name} lost a gift card",
        first_minutes=5,
    )
    services.resolve_case(old, by=staff, outcome="within_policy", summary=f"Replaced for {name}")
    Case.objects.filter(pk=old.pk).update(status="closed", closed_at=now)
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=str(customer),
        action_flag=CHANGE,
        change_message=f"Changed phone to {person.phone}",
    )
    return World(customer=customer, cases=[Case.objects.get(pk=case.pk), old])


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def find_everywhere(needles: list[str]) -> list[str]:
    """Every (table.column, needle) where a needle appears, in any model of any app:
    CharField, TextField (and EmailField…) and JSONField read as text."""
    hits = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        qs = model._default_manager.annotate(
            **{f"as_text_{f.name}": Cast(f.name, TextField()) for f in fields}
        )
        for needle in needles:
            where = Q()
            for f in fields:
                where |= Q(**{f"as_text_{f.name}__icontains": needle})
            if qs.filter(where).exists():
                for f in fields:
                    if qs.filter(**{f"as_text_{f.name}__icontains": needle}).exists():
                        hits.append(f"{model._meta.db_table}.{f.column} has {needle!r}")
    return hits


@pytest.fixture
def world(team, staff, manager, admin_user, category, allowed, what_happens_next):
    """The customer to export or erase, with every kind of data."""
    return build_world(
        DANA,
        team=team,
        staff=staff,
        manager=manager,
        admin=admin_user,
        category=category,
        allowed=allowed,
    )
