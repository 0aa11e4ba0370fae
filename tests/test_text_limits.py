"""Every free-text field has a maximum the form explains (help text and `maxlength`), and a
longer value is refused beside the field with the text kept (issue 11, item 7)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.cases.test_views_forms import assert_kept, field_error, form_on
from tests.exception_fixtures import ask

pytestmark = pytest.mark.django_db

HUGE = ("Prefers mornings. " * 5556).strip()  # 100,007 characters


def test_customer_preferences_of_100000_characters_are_refused_and_kept(signed_in, staff, customer):
    typed = {
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "preferred_channel": "email",
        "preferences": HUGE,
    }
    response = signed_in(staff).post(reverse("customer_edit", args=[customer.pk]), typed)
    assert response.status_code in {200, 400}
    form = form_on(response, 'name="preferences"')
    assert field_error(form, "preferences") == (
        f"Ensure this value has at most 2000 characters (it has {len(HUGE)})."
    )
    assert_kept(form, typed)
    customer.refresh_from_db()
    assert customer.preferences == ""


def test_policy_wording_too_long_is_refused_beside_the_field(signed_in, admin_user):
    typed = {
        "code": "ret-30",
        "title": "30-day returns",
        "category": "returns",
        "customer_wording": "x" * 4001,
        "effective_from": "2026-01-01",
        "active": "on",
    }
    response = signed_in(admin_user).post(reverse("policy_create"), typed)
    assert response.status_code == 200
    form = form_on(response, 'name="customer_wording"')
    assert "at most 4000 characters (it has 4001)" in field_error(form, "customer_wording")
    assert_kept(form, typed)


CONTROL = re.compile(r"<(?:input|textarea)\b[^>]*>")


def text_controls(html: str) -> list[str]:
    """Text inputs and textareas a person types free text into."""
    skip = {"hidden", "submit", "checkbox", "radio", "date", "datetime-local", "number"}
    # Addresses and phone numbers are parsed, not free text (a clear error when they don't
    # parse); files have their own size limits (attachments).
    skip |= {"email", "search", "password", "tel", "file"}
    # Dates and times are text boxes in the locale's format (cases/forms/widgets.py), parsed
    # like phone numbers: a digits keyboard (inputmode="numeric") marks them.
    found = []
    for control in CONTROL.findall(html):
        kind = re.search(r'type="([^"]+)"', control)
        if control.startswith("<input") and (not kind or kind.group(1) in skip):
            continue
        if 'inputmode="numeric"' in control:
            continue
        if 'name="q"' in control or 'name="csrfmiddlewaretoken"' in control:
            continue
        found.append(control)
    return found


def explained(html: str, control: str) -> bool:
    """The control has a maxlength, and its help text (aria-describedby) gives the limit."""
    limit = re.search(r'maxlength="(\d+)"', control)
    described = re.search(r'aria-describedby="([^"]+)"', control)
    if not limit or not described:
        return False
    words = f"Up to {int(limit.group(1)):,} characters."
    # The help element: a Bootstrap form-text, or the admin's <div class="help"><div>…
    helps = [
        re.search(rf'<div (?:class="[^"]*" )?id="{ref}"[^>]*>(.*?)</div>', html, re.S)
        for ref in described.group(1).split()
    ]
    return any(found and words in re.sub(r"<[^>]+>", "", found.group(1)) for found in helps)


@pytest.fixture
def case_with_everything(case, staff, allowed, attachment_store):
    """A case page showing every form it can: a request to decide, an open task (its
    done/move row) and a file (its remove form)."""
    from attachments import services as attachment_services
    from cases import services
    from tests.attachment_fixtures import image_bytes, upload
    from tests.factories import add_due_tasks

    interaction = services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="s", demeanour="calm"
    )
    attachment_services.add_attachments(
        by=staff, case=case, interaction=interaction, files=[upload("r.png", image_bytes("PNG"))]
    )
    add_due_tasks(case, staff, 1)
    ask(case, staff, allowed, "80.00")  # last: the case then waits for the decision
    return case


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("case", "staff"),
        ("resolved_case", "manager"),
        ("my_tasks", "staff"),
        ("approvals", "manager"),
        ("case_create", "staff"),
        ("customer_create", "staff"),
        ("customer_edit", "staff"),
        ("policy_create", "admin_user"),
        ("exception_create", "admin_user"),
        ("guidance_edit", "admin_user"),
        ("profile", "staff"),
        ("webhook_endpoint_create", "admin_user"),
        ("privacy_erase", "admin_user"),
        ("admin_quick_log", "admin_user"),
    ],
)
def test_every_text_field_says_how_much_it_takes(
    page, who, request, signed_in, staff, case_with_everything, policy, guidance
):
    from cases import services

    case = case_with_everything
    if page == "resolved_case":  # the case-study form, and reopening
        for request_row in case.exception_requests.filter(status="pending"):
            services.withdraw_exception(request_row, by=staff)
        services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    url = {
        "case": case.get_absolute_url(),
        "resolved_case": case.get_absolute_url(),
        "my_tasks": reverse("my_tasks"),
        "approvals": reverse("approvals"),
        "case_create": reverse("case_create"),
        "customer_create": reverse("customer_create"),
        "customer_edit": reverse("customer_edit", args=[case.customer_id]),
        "policy_create": reverse("policy_create"),
        "exception_create": reverse("exception_create", args=[policy.code]),
        "guidance_edit": reverse("guidance_edit", args=["angry"]),
        "profile": reverse("profile"),
        "webhook_endpoint_create": reverse("webhook_endpoint_create"),
        "privacy_erase": reverse("privacy_erase", args=[case.customer_id]),
        "admin_quick_log": reverse("admin:policies_quicklog_add"),
    }[page]
    response = signed_in(request.getfixturevalue(who)).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    controls = text_controls(html)
    assert controls
    unexplained = [c for c in controls if not explained(html, c)]
    assert not unexplained, unexplained
