"""What the benchmarks measure: the pages, as the first generated staff, manager and
admin see them on the manager's team's data, and the posts they time.

bench/harness.py measures them one after another; bench/before_after.py --interleave and
bench/flat_interleaved.py alternate them between two servers.
"""

from __future__ import annotations

import urllib.parse


def top_up_pending_requests(manager, team_id: int, wanted: int) -> None:
    """The generator leaves few requests pending per manager: ask for more, off-policy and
    above staff's discretion, on the team's open cases, through the service."""
    from decimal import Decimal

    from cases import services
    from cases.models import Case, ExceptionRequest, Role, User

    have = ExceptionRequest.objects.decidable_by(manager).count()
    if have >= wanted:
        return
    asker = User.objects.filter(role=Role.STAFF, teams=team_id).order_by("id").first()
    if asker is None:
        return
    cases = Case.objects.filter(team_id=team_id, status="open").order_by("-id")[: wanted - have]
    for case in cases:
        services.request_exception(  # off-policy: always a manager's decision
            case,
            by=asker,
            allowed=None,
            value=Decimal("75.00"),
            customer_ask="Benchmark: a goodwill credit",
            justification="Benchmark request",
        )


FLOOR_PATH = "/bench-floor-no-such-page/"
FLOOR_PAGE = "floor: signed-in 404 (middleware, session, user, base template)"
# What each timed "log an interaction" POST sends (bench/flat_interleaved.py sends it too).
INTERACTION_POST = {
    "channel": "phone",
    "direction": "inbound",
    "summary": "Benchmark call",
    "demeanour": "calm",
    "minutes": "3",
    "promise": "",
    "promise_due_at": "",
}


def decide_body(pk: int) -> dict[str, str]:
    """The approvals page's form for request `pk`, approving it."""
    return {f"r{pk}-decision": "approve", f"r{pk}-reason": "Benchmark", "next": "approvals"}


def suggest(typed: str) -> str:
    """The search-as-you-type URL the search box asks for `typed`."""
    return "/search/suggest/?" + urllib.parse.urlencode({"list": "nav-search", "q": typed})


def typeahead_pages(staff):
    """Search as you type, as staff type at the counter for one of their team's customers:
    the number in national form, its last six digits, half of it, a name's and a surname's
    start (target p95 50 ms, as for every search)."""
    from cases.models import Customer

    team_id = staff.teams.values_list("id", flat=True).first()
    customer = Customer.objects.filter(team_id=team_id).order_by("-id")[50]
    digits = customer.phone_normalised.removeprefix("+44")
    national = f"0{digits[:4]} {digits[4:]}"  # "+447700012345" -> "07700 012345"
    surname = customer.name.split()[-1]
    return [
        ("typeahead_national", "as you type: national phone", staff, suggest(national), 50),
        ("typeahead_suffix", "as you type: last 6 digits", staff, suggest(digits[-6:]), 50),
        ("typeahead_half", "as you type: half a number", staff, suggest(national[:9]), 50),
        ("typeahead_name", "as you type: name prefix", staff, suggest(customer.name[:3]), 50),
        ("typeahead_surname", "as you type: surname", staff, suggest(surname[:4]), 50),
    ]


def every_get_page(staff, manager, admin, team_id: int):
    """The floor, then every page of pages_to_measure and typeahead_pages: what
    bench/before_after.py --interleave and bench/flat_interleaved.py alternate."""
    floor = ("floor", FLOOR_PAGE, staff, FLOOR_PATH, None)
    return [floor, *pages_to_measure(staff, manager, admin, team_id), *typeahead_pages(staff)]


def generated_users():
    """The first generated staff, manager and admin, and the manager's team id; None when
    generate_data has not run (bench/before_after.py measures the same pages)."""
    from cases.models import Role, User

    generated = User.objects.filter(username__startswith="gen-").order_by("id")
    staff, manager, admin = (
        generated.filter(role=role).first() for role in (Role.STAFF, Role.MANAGER, Role.ADMIN)
    )
    team_id = manager.teams.values_list("id", flat=True).first() if manager else None
    if not (staff and manager and admin and team_id):
        return None
    return staff, manager, admin, team_id


def pages_to_measure(staff, manager, admin, team_id: int):
    """(key, label, user, path, target p95 ms) per page, on the manager's team's data."""
    from django.db.models import Count

    from cases.models import Case, Customer

    team_cases = Case.objects.filter(team_id=team_id)
    # The 100th newest (an older, settled case), or the oldest on a small database.
    typical = team_cases.order_by("-id").values_list("id", flat=True)[
        max(min(100, team_cases.count() - 1), 0)
    ]
    busiest = (
        team_cases.annotate(n=Count("interactions")).order_by("-n").values_list("id", "n").first()
    )
    team_customers = Customer.objects.filter(team_id=team_id).order_by("id")
    # The team's first customer (a demanding one) and a typical one (three or so cases).
    customer = team_customers.first()
    typical_customer = team_customers.annotate(n=Count("cases")).filter(n=3).first()
    if busiest is None or customer is None or typical_customer is None:
        raise SystemExit("Too few generated cases or customers on the manager's team.")
    ref = f"CD-{typical:06d}"
    phone = urllib.parse.quote(customer.phone)
    return [
        ("home_staff", "home (staff)", staff, "/", 30),
        ("home_manager", "home (manager: three case tables, tasks, surges)", manager, "/", 30),
        ("case_list", "case list", staff, "/cases/", 30),
        ("case_list_open", "case list: open", manager, "/cases/?status=open", 30),
        ("case_list_team", "case list: team", manager, f"/cases/?team={team_id}", 30),
        ("case_list_priority", "case list: by priority", manager, "/cases/?o=-priority", 30),
        ("case_list_deep", "case list: page 400", manager, "/cases/?page=400", 30),
        ("case_list_admin", "case list: admin", admin, "/cases/", 30),
        ("case_page", "case page (typical)", manager, f"/cases/{ref}/", 30),
        (
            "case_page_busiest",
            f"case page ({busiest[1]} interactions)",
            manager,
            f"/cases/CD-{busiest[0]:06d}/",
            50,
        ),
        (
            "customer",
            "customer profile (typical)",
            manager,
            f"/customers/{typical_customer.pk}/",
            30,
        ),
        (
            "customer_busiest",
            f"customer profile ({customer.cases.count()} cases)",
            manager,
            f"/customers/{customer.pk}/",
            50,
        ),
        ("search_common", "search: common word", manager, "/search/?q=refund", 50),
        ("search_rare", "search: rare word", manager, "/search/?q=zeppelin", 50),
        ("search_reference", "search: reference", manager, f"/search/?q={ref}", 50),
        ("search_email", "search: email", manager, f"/search/?q={customer.email}", 50),
        ("search_phone", "search: phone", manager, f"/search/?q={phone}", 50),
        ("approvals", "approvals (manager)", manager, "/approvals/", 30),
        ("my_tasks", "my tasks (staff)", staff, "/tasks/", 30),
        ("policies", "policy library (staff)", staff, "/policies/", 30),
        (
            "insights_30",
            "insights 30 days (shared for a minute)",
            manager,
            "/insights/?period=30",
            None,
        ),
        (
            "insights_90",
            "insights 90 days (shared for a minute)",
            manager,
            "/insights/?period=90",
            None,
        ),
    ]
