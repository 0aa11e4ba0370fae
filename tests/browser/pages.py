"""Every main page, on the demo data, and the checks run on each one.

`seed_demo` is the data a new user tries CaseDesk with, so the pages are checked with
what people see: flagged customers, pending approvals, studies, answered feedback.
axe-core (tests/browser/vendor/, vendored by frontend/vendor.sh, never served) is
evaluated in the page through the DevTools protocol, which the page's CSP does not
govern: a `<script>` tag added by the test would be refused by `script-src 'self'`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class MainPage:
    """A page to visit: who looks at it (None: signed out) and how to find its URL."""

    name: str
    who: str | None
    path: Callable[[], str]
    case_table: bool = False


def seed() -> dict[str, str]:
    """The demo data on a flushed database; returns URLs that depend on generated rows."""
    from cases.models import Case, CustomerFlag
    from cases.services.followups import feedback_token, schedule_feedback
    from policies.defaults import CATEGORIES, DEMEANOUR_GUIDANCE
    from policies.models import Category, DemeanourGuidance, Policy

    # Transactional tests flush what migrations seeded; put it back as a fresh install has it.
    for slug, name in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})
    for demeanour, card in DEMEANOUR_GUIDANCE.items():
        DemeanourGuidance.objects.get_or_create(demeanour=demeanour, defaults=card)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    flagged = (
        Case.objects.filter(
            customer__flags__contains=[CustomerFlag.DISENGAGE], status__in=["new", "open"]
        ).first()
        or Case.objects.filter(customer__flags__contains=[CustomerFlag.DISENGAGE]).first()
    )
    assert flagged is not None, "the demo data has a case of an abusive customer"
    open_with_email = Case.objects.filter(customer__email__gt="").first()
    assert open_with_email is not None
    feedback = schedule_feedback(open_with_email, send_at=timezone.now())
    assert feedback is not None
    return {
        "case": f"/cases/{flagged.reference}/",
        "customer": f"/customers/{flagged.customer_id}/",
        "policy": f"/policies/{Policy.objects.order_by('code').first().code}/",
        "feedback": f"/feedback/{feedback_token(feedback)}/",
    }


def main_pages(urls: dict[str, str]) -> list[MainPage]:
    """The pages of issue 12, in the order a visitor would sign in to see them."""
    return [
        MainPage("sign-in", None, lambda: "/accounts/login/"),
        MainPage("feedback", None, lambda: urls["feedback"]),
        MainPage("home-staff", "priya", lambda: "/", case_table=True),
        MainPage("case-list", "priya", lambda: "/cases/", case_table=True),
        MainPage("case-page", "priya", lambda: urls["case"]),
        MainPage("customer-list", "priya", lambda: "/customers/"),
        MainPage("customer-profile", "priya", lambda: urls["customer"], case_table=True),
        MainPage("new-case", "priya", lambda: "/cases/new/"),
        MainPage("tasks", "priya", lambda: "/tasks/"),
        MainPage("policy-library", "priya", lambda: "/policies/"),
        MainPage("policy", "priya", lambda: urls["policy"]),
        MainPage("guidance", "priya", lambda: "/policies/guidance/"),
        MainPage("coaching-library", "priya", lambda: "/studies/"),
        MainPage("search", "priya", lambda: "/search/?q=refund", case_table=True),
        MainPage("home-manager", "jordan", lambda: "/", case_table=True),
        MainPage("approvals", "jordan", lambda: "/approvals/"),
        MainPage("insights", "jordan", lambda: "/insights/"),
        MainPage("home-admin", "avery", lambda: "/", case_table=True),
    ]


def axe_problems(page: Page) -> list[str]:
    """Serious and critical axe violations on the page, one line per rule and target."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '),"
        " summary: n.failureSummary}))})))"
    )
    problems = []
    for violation in result:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            problems.append(
                f"{violation['impact']} {violation['id']} ({violation['help']}) at "
                f"{node['target']}: {node['summary']}"
            )
    return problems


def phone_problems(page: Page, *, case_table: bool) -> list[str]:
    """What a phone user would trip over: sideways scrolling, hidden status, small targets."""
    problems = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(WIDEST_ELEMENTS)
        problems.append(f"scrolls sideways: {width[0]} > {width[1]}; widest: {wide}")
    if case_table:
        for what in ("status", "priority"):
            cell = page.locator(f"table.case-table tbody tr:first-child td.case-{what}").first
            box = cell.bounding_box() if cell.count() else None
            if box is None or not cell.is_visible():
                problems.append(f"first case row: {what} not shown")
            elif box["x"] < 0 or box["x"] + box["width"] > width[1] + 0.5:
                problems.append(f"first case row: {what} off-screen at x={box['x']}")
    small = page.evaluate(SMALL_TARGETS)
    if small:
        problems.append(f"tap targets under 44 px: {small}")
    return problems


# The elements sticking out past the right edge, deepest first: where to look.
WIDEST_ELEMENTS = """
(() => {
  const w = window.innerWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 0.5)
    .slice(-5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
         [...e.classList].map(c => '.' + c).join('') +
         ' ' + Math.round(e.getBoundingClientRect().right));
})()
"""

# Controls a thumb has to hit: buttons, fields, menus, pager links. Visible ones only.
SMALL_TARGETS = """
(() => {
  const sel = '.btn, .form-control, .form-select, .nav-link, .page-link, .dropdown-item, ' +
              '.navbar-toggler, .navbar-brand, .list-group-item-action';
  return [...document.querySelectorAll(sel)]
    .filter(e => e.offsetParent !== null)
    .filter(e => { const r = e.getBoundingClientRect(); return r.height < 43.5; })
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' "' +
         (e.innerText || e.getAttribute('aria-label') || e.name || '').trim().slice(0, 30) +
         '" ' + Math.round(e.getBoundingClientRect().height));
})()
"""
