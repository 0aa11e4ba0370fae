"""Demo data: teams, one user of each role per team, customers and cases in every status."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    Channel,
    Customer,
    CustomerFlag,
    Direction,
    EventKind,
    ExceptionRequest,
    FeedbackRequest,
    Interaction,
    Outcome,
    Priority,
    Role,
    Team,
    User,
)
from policies import services as policy_services
from policies.models import AllowedException, Category, Demeanour, FollowUpRule

DEMO_PASSWORD = "casedesk-demo"

TEAMS = ["Downtown store", "Phone support"]
PEOPLE = [
    # username, first, last, role, teams
    ("sam", "Sam", "Rivera", Role.STAFF, [0]),
    ("alex", "Alex", "Chen", Role.STAFF, [0]),
    ("priya", "Priya", "Nair", Role.STAFF, [1]),
    ("morgan", "Morgan", "Blake", Role.MANAGER, [0]),
    ("jordan", "Jordan", "Okafor", Role.MANAGER, [1]),
    ("avery", "Avery", "Lindqvist", Role.ADMIN, [0, 1]),
]
CUSTOMERS = [
    ("Dana Whitfield", "dana.whitfield@example.com", "+44 7700 900101", []),
    ("Marcus Bell", "marcus.bell@example.com", "+44 7700 900102", [CustomerFlag.FREQUENT_RETURNER]),
    ("Helen Varga", "helen.varga@example.com", "", [CustomerFlag.WRITTEN_ONLY]),
    ("Tom Achterberg", "", "+44 7700 900104", [CustomerFlag.DISENGAGE, CustomerFlag.TWO_STAFF]),
    ("Grace Osei", "grace.osei@example.com", "+44 7700 900105", [CustomerFlag.VIP]),
    ("Brightside Cafe Ltd", "accounts@brightside.example.com", "+44 20 7946 0106", []),
]
# Why each demo customer carries their flags (shown beside the flags, with who and when).
FLAG_REASONS = {
    "Marcus Bell": "Fourth return this quarter: check his history before refunding.",
    "Helen Varga": "Asked that every decision be confirmed to her by email or letter.",
    "Tom Achterberg": "Shouted at staff in the store in May; the manager asked for two staff.",
    "Grace Osei": "Loyalty member since 2015 and recommends us; the area manager asked.",
}
STORIES = [
    (
        "Fridge too big for the kitchen, wants a refund",
        "refund-dispute",
        Demeanour.ANGRY,
        "Customer measured wrongly and wants a full refund on a delivered fridge.",
        "Offered store credit minus the restocking fee; customer will think about it.",
    ),
    (
        "Diagnostic fee on a laptop that was not repaired",
        "fee-dispute",
        Demeanour.UNREASONABLE,
        "Insists the diagnostic fee should be refunded because the repair was declined.",
        "Explained the fee covers the technician's time; offered it as credit toward a new laptop.",
    ),
    (
        "Return after 45 days, receipt lost",
        "return-outside-policy",
        Demeanour.INDECISIVE,
        "Wants to return a jacket bought about six weeks ago; cannot find the receipt.",
        "Found the sale on the loyalty card; gave two options: exchange or store credit.",
    ),
    (
        "Delivery arrived damaged",
        "delivery-problem",
        Demeanour.CALM,
        "Sofa arrived with a torn cushion; photos sent by email.",
        "Arranged a replacement cushion; will confirm the delivery date by Friday.",
    ),
    (
        "Charged twice for one order",
        "billing-error",
        Demeanour.PASSIVE_AGGRESSIVE,
        "Sees two charges for the same order on the card statement.",
        "Confirmed one charge is a pending authorisation that will drop off in 3 days.",
    ),
    (
        "Shouting at the counter about a warranty claim",
        "product-defect",
        Demeanour.ABUSIVE,
        "Raised voice and insults at the counter after a warranty claim was declined.",
        "Ended the conversation politely with a colleague present; offered a written reply.",
    ),
]


class Command(BaseCommand):
    help = "Create demo teams, users (printing their sign-in details), customers and cases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if users exist.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Demo data already present; sign in with the users printed before.")
            self._print_credentials()
            return
        with transaction.atomic():
            self._seed()
        self._print_credentials()

    def _seed(self) -> None:
        rng = random.Random(7)
        teams = [Team.objects.get_or_create(name=name)[0] for name in TEAMS]
        users = self._seed_people(teams)
        categories = {c.slug: c for c in Category.objects.all()}
        self._seed_follow_up_rules(categories)
        customers = []
        for index, (name, email, phone, flags) in enumerate(CUSTOMERS):
            team = teams[index % 2]
            creator = users["sam"] if team == teams[0] else users["priya"]
            customers.append(
                services.create_customer(
                    by=creator,
                    team=team,
                    name=name,
                    email=email,
                    phone=phone,
                    flags=flags,
                    flags_reason=FLAG_REASONS.get(name, ""),
                )
            )
        self._seed_stories(rng, teams, users, customers, categories)
        self._seed_policies_and_requests(users)
        # Two customers already answered: one happy, one not (a manager has a recovery task).
        answers = [(5, "Quick and kind, thank you."), (2, "It took three calls to sort out.")]
        for feedback, (rating, comment) in zip(
            FeedbackRequest.objects.order_by("id"), answers, strict=False
        ):
            services.submit_feedback(feedback, rating=rating, comment=comment)
        # Fresh arrivals nobody has picked up yet: new, unassigned, on managers' home page.
        for subject, slug, customer, team in [
            ("Where is my refund? Emailed twice", "refund-dispute", customers[4], teams[1]),
            ("Asks whether we price match online", "other", customers[0], teams[0]),
        ]:
            services.open_case(
                by=users["alex"] if team == teams[0] else users["priya"],
                customer=customer,
                team=team,
                subject=subject,
                category=categories.get(slug) or next(iter(categories.values())),
                channel=Channel.EMAIL,
            )
        self._spread_history()

    def _seed_people(self, teams: list[Team]) -> dict[str, User]:
        users: dict[str, User] = {}
        for username, first, last, role, team_indexes in PEOPLE:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "email": f"{username}@casedesk.example.com",
                    "is_staff": role == Role.ADMIN,
                    "is_superuser": role == Role.ADMIN,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.teams.set([teams[i] for i in team_indexes])
            users[username] = user
        return users

    def _seed_stories(
        self,
        rng: random.Random,
        teams: list[Team],
        users: dict[str, User],
        customers: list[Customer],
        categories: dict[str, Category],
    ) -> None:
        """Each story three times: as a fresh case, resolved, and resolved then reopened."""
        staff_by_team = {teams[0].pk: [users["sam"], users["alex"]], teams[1].pk: [users["priya"]]}
        for round_ in range(3):
            for index, (subject, slug, demeanour, first, second) in enumerate(STORIES):
                customer = customers[(index + round_) % len(customers)]
                team = teams[(index + round_) % 2]
                staff = rng.choice(staff_by_team[team.pk])
                case = services.open_case(
                    by=staff,
                    customer=customer,
                    team=team,
                    subject=subject if round_ == 0 else f"{subject} (again)",
                    category=categories.get(slug) or next(iter(categories.values())),
                    channel=rng.choice([Channel.IN_PERSON, Channel.PHONE, Channel.EMAIL]),
                    priority=rng.choice(list(Priority.values)),
                    demeanour=demeanour,
                    assignee=staff if (index + round_) % 4 else None,
                    first_summary=first,
                    first_minutes=rng.randint(3, 25),
                )
                if (index + round_) % 3 == 0:
                    continue  # leave some cases with a single contact
                services.log_interaction(
                    case,
                    by=staff,
                    channel=Channel.PHONE,
                    direction=Direction.OUTBOUND,
                    summary=second,
                    demeanour=Demeanour.CALM if demeanour != Demeanour.ABUSIVE else demeanour,
                    minutes=rng.randint(5, 20),
                    promise="Call back with the decision" if index % 2 else "",
                    promise_due_at=timezone.now() + timedelta(days=2) if index % 2 else None,
                )
                if round_ >= 1:
                    outcome = [Outcome.COMPROMISE, Outcome.POLICY_UPHELD, Outcome.WITHIN_POLICY][
                        index % 3
                    ]
                    services.resolve_case(case, by=staff, outcome=outcome, summary=second)
                if round_ == 2 and index % 2:
                    services.reopen_case(
                        case, by=staff, reason="Customer called back: not happy with the outcome."
                    )

    def _spread_history(self) -> None:
        """Spread the history over the past weeks so lists and "stale" look lived-in."""
        now = timezone.now()
        for offset, case in enumerate(Case.objects.order_by("id")):
            moved = now - timedelta(days=30 - offset, hours=offset % 7)
            Case.objects.filter(pk=case.pk).update(created_at=moved, last_activity_at=moved)
            # Demo history only: the timeline is written as if it happened over those weeks,
            # and the interactions and requests it shows move with it.
            for step, event in enumerate(CaseEvent.objects.filter(case=case).order_by("id")):
                when = moved + timedelta(hours=step * 6, minutes=step)
                CaseEvent.objects.filter(pk=event.pk).update(created_at=when)
                if event.interaction_id:
                    Interaction.objects.filter(pk=event.interaction_id).update(occurred_at=when)
                request_id = event.exception_request_id
                if request_id and event.kind in {
                    EventKind.EXCEPTION_REQUESTED,
                    EventKind.EXCEPTION_GRANTED,
                }:
                    requests = ExceptionRequest.objects.filter(pk=request_id)
                    requests.update(requested_at=when)
                if request_id and event.kind in {
                    EventKind.EXCEPTION_DECIDED,
                    EventKind.EXCEPTION_WITHDRAWN,
                }:
                    requests = ExceptionRequest.objects.filter(pk=request_id)
                    requests.update(decided_at=when)

    def _seed_follow_up_rules(self, categories: dict[str, Category]) -> None:
        """Sensible defaults: every promise kept, every exception checked on, feedback asked."""
        rules: list[dict[str, Any]] = [
            {
                "name": "Exception granted: check in after 3 days",
                "outcome": Outcome.EXCEPTION_GRANTED,
                "task_title": "Check the customer is happy with what we granted",
                "task_kind": "check_satisfaction",
                "task_due_days": 3,
                "task_local_hour": 10,
                "feedback_after_days": 5,
            },
            {
                "name": "Compromise offered: call back after 2 days",
                "outcome": Outcome.COMPROMISE,
                "task_title": "Call back: did the compromise work out?",
                "task_kind": "call_back",
                "task_due_days": 2,
                "task_local_hour": 11,
            },
            {
                "name": "Delivery problems: confirm the fix arrived",
                "category": categories.get("delivery-problem"),
                "task_title": "Confirm the replacement was delivered",
                "task_kind": "deliver_promise",
                "task_due_days": 5,
                "task_local_hour": 10,
            },
            {"name": "Every resolution: ask for feedback after 2 days", "feedback_after_days": 2},
        ]
        for rule in rules:
            FollowUpRule.objects.get_or_create(name=rule["name"], defaults=rule)

    def _seed_policies_and_requests(self, users: dict[str, User]) -> None:
        """The policy library from policies.defaults, and exception requests in every state."""
        policy_services.install_default_library(by=users["avery"], effective_from=date(2025, 1, 1))
        offered = list(AllowedException.objects.select_related("policy").order_by("id"))
        active_cases = list(
            Case.objects.filter(status__in=["new", "open"]).select_related("team").order_by("id")
        )
        managers = {t.pk: m for m in User.objects.filter(role=Role.MANAGER) for t in m.teams.all()}
        plan = ["granted", "pending", "approved", "countered", "denied", "withdrawn", "pending"]
        for index, (case, outcome) in enumerate(zip(active_cases, plan, strict=False)):
            allowed = offered[index % len(offered)]
            requester = case.assignee or case.created_by
            if requester.role != Role.STAFF:
                continue
            value = allowed.staff_limit if outcome == "granted" else allowed.manager_limit
            if value <= 0 or value <= allowed.staff_limit and outcome != "granted":
                value = min(allowed.max_value, allowed.staff_limit + Decimal("10.00"))
            if outcome == "granted" and value <= 0:
                continue
            request = services.request_exception(
                case,
                by=requester,
                allowed=allowed,
                value=value,
                customer_ask="Wants the full amount back",
                justification="Long-standing customer; the fault was partly ours.",
            )
            manager = managers.get(case.team_id)
            if outcome in {"approved", "countered", "denied"} and manager and request.is_pending:
                services.decide_exception(
                    request,
                    by=manager,
                    decision={"approved": "approve", "countered": "counter", "denied": "deny"}[
                        outcome
                    ],
                    reason="Fair given the history." if outcome != "denied" else "Policy stands.",
                    counter_value=(value / 2).quantize(Decimal("0.01")),
                )
            elif outcome == "withdrawn" and request.is_pending:
                services.withdraw_exception(request, by=requester)

    def _print_credentials(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD})"))
        for username, first, last, role, team_indexes in PEOPLE:
            teams = ", ".join(TEAMS[i] for i in team_indexes)
            self.stdout.write(f"  {username:<8} {role.label:<8} {first} {last} — {teams}")
