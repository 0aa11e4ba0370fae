"""The approvals queue's cards, written in Python (cases/templatetags/approvals_tags.py),
read as the template they replaced wrote them: requests on and off policy, with and
without a running total, a customer window, a manager's limit and evidence, a customer
with flags and history, in every language. `approvals_reference.html` is that template,
kept as the reference; change both together when the queue's markup should change."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from attachments import services as attachment_services
from cases import selectors
from cases.views import exceptions as views
from policies import services as policy_services
from tests.attachment_fixtures import attachment_store, image_bytes, upload  # noqa: F401
from tests.exception_fixtures import allowed, ask, policy  # noqa: F401
from tests.factories import CaseFactory, CustomerFactory

REFERENCE = (Path(__file__).resolve().parent / "approvals_reference.html").read_text()

pytestmark = pytest.mark.django_db


def norm(page: str) -> str:
    page = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", page)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", page))


def windowed(admin_user):
    """An exception with a 30-day window per customer."""
    made = policy_services.create_policy(
        by=admin_user,
        code="GOODWILL",
        title="Goodwill <credit> & vouchers",
        category="fees",
        customer_wording="Now and then.",
        effective_from=date(2025, 1, 1),
        exceptions=[
            {
                "name": "Voucher",
                "kind": "store_credit",
                "max_value": Decimal("500.00"),
                "staff_limit": Decimal("10.00"),
                "manager_limit": Decimal("300.00"),
                "customer_window_days": 30,
            }
        ],
    )
    return made.allowed_exceptions.get()


@pytest.fixture
def queue(staff, manager, admin_user, team, category, allowed, attachment_store):  # noqa: F811
    flagged = CustomerFactory(team=team, created_by=staff, name="Ann <O'Neil>", flags=["vip"])
    case = CaseFactory(team=team, customer=flagged, created_by=staff, category=category)
    with_files = ask(case, staff, allowed, "80.00")
    attachment_services.add_attachments(
        by=staff,
        case=with_files.case,
        request=with_files,
        files=[upload("quote.png", image_bytes("PNG"))],
    )
    ask(case, staff, allowed, "15.00")  # on the same case: a running total
    other = CaseFactory(team=team, created_by=staff, category=category)
    ask(other, staff, None, "60.00")  # off policy
    ask(other, staff, windowed(admin_user), "45.00")
    return manager


@pytest.mark.parametrize("lang", [code for code, _ in settings.LANGUAGES])
def test_the_queue_reads_as_the_template_wrote_it(queue, lang):
    manager = queue
    request = RequestFactory().get("/approvals/")
    request.user = manager
    request.csp_nonce = "n"  # as the CSP middleware sets it
    with translation.override(lang):
        items = selectors.approval_queue(manager)
        views._decision_forms(items, {})
        context = {"queue": items, "waiting": len(items), "now": timezone.now()}
        new = render_to_string("cases/approvals.html", context, request)
        old = engines["django"].from_string(REFERENCE).render(context, request)
    assert len(items) == 4
    # Compared card by card, so that a failure names the card that differs.
    assert re.split(r"(?=<section)", norm(new)) == re.split(r"(?=<section)", norm(old))
    assert "quote.png" in new and "running-total" in new
