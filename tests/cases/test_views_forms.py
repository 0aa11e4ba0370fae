"""Bad input on every form: a clear message next to the field, and nothing typed is lost.

Each invalid submission must re-render (200 or 400, never 500) with the error in the
field's Bootstrap `invalid-feedback` and every value the user typed back in the form,
escaped. Successful submissions redirect, or for htmx return the refreshed panel.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Customer, Interaction, Status
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Emoji (with a skin-tone modifier and a ZWJ family), Arabic (right-to-left) with a
# left-to-right mark, a decomposed "é" (e + combining acute) and CJK.
UNICODE = "Zoë 👩🏽‍🔧 👨‍👩‍👧 مرحبا بك \u200e cafe\u0301 日本語"
LONG = "x" * 20_000
NUL = "Broken\x00name"
# A due time inside the window (cases/limits.py: up to two years ahead).
SOON = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")


# Reading the page back ------------------------------------------------------------------


class FormReader(HTMLParser):
    """The values a browser would submit from a form as rendered: inputs, textareas and
    selected options, plus each select's offered values."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") != "submit":
            if a.get("type") in {"checkbox", "radio"}:
                self.values.setdefault(name, [])
                if "checked" in a:
                    self.values[name].append(a.get("value") or "on")
            else:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
            self.values.setdefault(name, [])
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
            if "selected" in a:
                self.values[self._select].append(a.get("value") or "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # Browsers drop one newline right after <textarea>; Django adds one.
            self.values.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None


def html_of(response: Any) -> str:
    return response.content.decode()


def form_on(response: Any, marker: str) -> str:
    """The HTML of the one <form> on the page that contains `marker`."""
    forms = [
        form for form in re.findall(r"<form\b.*?</form>", html_of(response), re.S) if marker in form
    ]
    assert len(forms) == 1, f"expected one form containing {marker!r}, found {len(forms)}"
    return forms[0]


def action_form(response: Any, case: Case, action: str) -> str:
    return form_on(response, f'action="{case.get_absolute_url()}{action}/"')


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def field_error(form_html: str, field: str) -> str:
    """The text of the Bootstrap `invalid-feedback` the field points at, or "".

    Found through the control's `aria-describedby`, as a screen reader finds it, so the
    message is tied to that field and not merely somewhere on the page."""
    control = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{field}"[^>]*>', form_html)
    assert control, f"no control named {field!r} in the form"
    described = re.search(r'aria-describedby="([^"]+)"', control.group(0))
    if not described:
        return ""
    # It may name the help text too ("up to N characters"): the message is the feedback.
    feedbacks = [
        re.search(
            rf'<div id="{re.escape(ref)}" class="invalid-feedback">(.*?)</div>', form_html, re.S
        )
        for ref in described.group(1).split()
    ]
    feedback = next((found for found in feedbacks if found), None)
    if not feedback:
        return ""
    assert "is-invalid" in control.group(0), f"{field} has a message but is not marked invalid"
    return _text(feedback.group(1))


def shown_messages(response: Any) -> str:
    """Every message and error on the page, for assertion messages."""
    html = html_of(response)
    found = re.findall(
        r'<div[^>]*class="(?:alert|invalid-feedback)[^"]*"[^>]*>(.*?)</div>', html, re.S
    )
    return " | ".join(_text(text) for text in found) or "(no message at all)"


def form_error(form_html: str) -> str:
    """The form-wide (non-field) errors shown at the top of the form."""
    match = re.search(r'<div class="alert alert-block alert-danger">(.*?)</div>', form_html, re.S)
    return _text(match.group(1)) if match else ""


def assert_kept(form_html: str, typed: dict[str, Any]) -> None:
    """Every value the user typed is back in the form, exactly."""
    shown = FormReader(form_html)
    for name, value in typed.items():
        assert name in shown.values, f"{name} is missing from the re-rendered form"
        if isinstance(value, list):
            assert sorted(shown.values[name]) == sorted(value), name
        elif name in shown.options and str(value) not in shown.options[name]:
            continue  # a value no option offers cannot be shown selected
        else:
            assert str(value) in shown.values[name], (
                f"{name}: typed {str(value)[:80]!r}, form shows "
                f"{[v[:80] for v in shown.values[name]]!r}"
            )


def assert_refused(response: Any) -> None:
    assert response.status_code in {200, 400}, response.status_code


def assert_no_raw_script(response: Any) -> None:
    assert SCRIPT not in html_of(response)
    assert ESCAPED_SCRIPT in html_of(response)


def snapshot(case: Case) -> tuple[Any, ...]:
    row = Case.objects.filter(pk=case.pk).values().get()
    return row, case.events.count(), case.interactions.count()


def interaction(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "email",
        "direction": "outbound",
        "summary": "Emailed the delivery slot options",
        "demeanour": "indecisive",
        "minutes": "7",
        "promise": "",
        "promise_due_at": "",
    }
    data.update(overrides)
    return data


HTMX = {"HX-Request": "true"}


def post_interaction(client: Any, case: Case, data: dict[str, Any], htmx: bool) -> Any:
    url = reverse("case_log_interaction", args=[case.reference])
    return client.post(url, data, headers=HTMX if htmx else {})


def interaction_form(response: Any) -> str:
    return form_on(response, 'id="interaction-form"')


# Customers ------------------------------------------------------------------------------


@pytest.fixture
def new_customer(team: Any) -> dict[str, Any]:
    return {
        "name": "Nia Newcomer",
        "email": "nia@example.com",
        "phone": "+44 20 7946 0000",
        "preferred_channel": "email",
        "team": team.pk,
        "preferences": "Call after 5pm",
        "flags": ["vip", "written_only"],
        "flags_reason": "Asked for everything in writing; big account",
    }


def test_customer_create_shows_each_error_next_to_its_field_and_keeps_what_was_typed(
    signed_in, staff, new_customer
):
    typed = {**new_customer, "name": "", "email": "nia@", "phone": "12", "preferences": UNICODE}
    response = signed_in(staff).post(reverse("customer_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="preferences"')
    assert field_error(form, "name") == "This field is required."
    assert field_error(form, "email") == "Enter a valid email address."
    assert field_error(form, "phone") == "This phone number is too short."
    assert_kept(form, typed)
    assert not Customer.objects.filter(email="nia@").exists()


def test_customer_create_without_email_or_phone_asks_for_one(signed_in, staff, new_customer):
    typed = {**new_customer, "email": "", "phone": ""}
    response = signed_in(staff).post(reverse("customer_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="preferences"')
    assert "Give an email or a phone number" in form_error(form)
    assert_kept(form, typed)


def test_customer_name_of_20000_characters_is_refused_with_a_message(
    signed_in, staff, new_customer
):
    typed = {**new_customer, "name": LONG}
    response = signed_in(staff).post(reverse("customer_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="preferences"')
    assert "at most 200 characters (it has 20000)" in field_error(form, "name")
    assert_kept(form, typed)
    assert not Customer.objects.filter(email="nia@example.com").exists()


def test_customer_create_escapes_a_script_in_the_name_on_error_and_once_saved(
    signed_in, staff, new_customer
):
    client = signed_in(staff)
    refused = client.post(
        reverse("customer_create"), {**new_customer, "name": SCRIPT, "phone": "1"}
    )
    assert_refused(refused)
    assert_no_raw_script(refused)
    assert_kept(form_on(refused, 'name="preferences"'), {"name": SCRIPT})
    saved = client.post(reverse("customer_create"), {**new_customer, "name": SCRIPT}, follow=True)
    assert saved.status_code == 200
    assert Customer.objects.get(email="nia@example.com").name == SCRIPT
    assert_no_raw_script(saved)


def test_customer_create_refuses_a_nul_byte_with_a_message(signed_in, staff, new_customer):
    typed = {**new_customer, "name": NUL}
    response = signed_in(staff).post(reverse("customer_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="preferences"')
    assert field_error(form, "name") == "Null characters are not allowed."
    assert_kept(form, typed)
    assert not Customer.objects.filter(email="nia@example.com").exists()


def test_customer_name_with_emoji_rtl_and_combining_characters_is_kept_exactly(
    signed_in, staff, new_customer
):
    client = signed_in(staff)
    refused = client.post(
        reverse("customer_create"), {**new_customer, "name": UNICODE, "email": "x"}
    )
    assert_kept(form_on(refused, 'name="preferences"'), {"name": UNICODE})
    saved = client.post(reverse("customer_create"), {**new_customer, "name": UNICODE}, follow=True)
    assert saved.status_code == 200
    assert Customer.objects.get(email="nia@example.com").name == UNICODE
    assert UNICODE in html_of(saved)


@pytest.mark.parametrize(
    ("email", "phone"),
    [("DANA@Example.COM", ""), ("", "+44 (7700) 900-101"), ("", "+447700900101")],
    ids=["email-differently-cased", "phone-with-other-spacing", "phone-without-spaces"],
)
def test_duplicate_customer_offers_the_existing_one_and_creates_only_once_ticked(
    email, phone, signed_in, staff, customer, new_customer
):
    client = signed_in(staff)
    typed = {**new_customer, "name": "Dana W.", "email": email, "phone": phone}
    warned = client.post(reverse("customer_create"), typed)
    assert_refused(warned)
    html = html_of(warned)
    assert "Likely duplicate" in html
    assert f'href="{customer.get_absolute_url()}">Dana Whitfield</a>' in html
    form = form_on(warned, 'name="preferences"')
    assert "already exists" in form_error(form)
    assert 'type="checkbox" name="create_anyway"' in form
    assert 'name="_duplicate_seen" value="1"' in form
    assert_kept(form, typed)
    # Submitting again without ticking the box still refuses.
    again = client.post(reverse("customer_create"), {**typed, "_duplicate_seen": "1"})
    assert_refused(again)
    assert Customer.objects.filter(name="Dana W.").count() == 0
    # Ticking "create anyway" creates the new customer.
    created = client.post(
        reverse("customer_create"), {**typed, "_duplicate_seen": "1", "create_anyway": "on"}
    )
    assert created.status_code == 302
    assert Customer.objects.filter(name="Dana W.").count() == 1


def test_duplicate_warning_never_names_another_teams_customer(
    signed_in, staff, other_team, other_team_staff, new_customer
):
    CustomerFactory(
        name="Olga Outland",
        email="olga@elsewhere.test",
        team=other_team,
        created_by=other_team_staff,
    )
    response = signed_in(staff).post(
        reverse("customer_create"), {**new_customer, "email": "OLGA@elsewhere.test"}
    )
    assert "Olga Outland" not in html_of(response)
    assert response.status_code == 302


def test_customer_edit_shows_errors_keeps_what_was_typed_and_changes_nothing(
    signed_in, staff, customer
):
    typed = {
        "name": UNICODE,
        "email": "dana-at-example",
        "phone": "abc",
        "preferred_channel": "letter",
        "preferences": SCRIPT,
        "flags": ["two_staff"],
    }
    response = signed_in(staff).post(reverse("customer_edit", args=[customer.pk]), typed)
    assert_refused(response)
    form = form_on(response, 'name="preferences"')
    assert field_error(form, "email") == "Enter a valid email address."
    assert field_error(form, "phone").startswith("Enter a phone number in digits, such as 07")
    assert_kept(form, typed)
    assert_no_raw_script(response)
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.flags) == (
        "Dana Whitfield",
        "dana@example.com",
        [],
    )


def test_customer_edit_clearing_both_email_and_phone_is_refused(signed_in, staff, customer):
    typed = {"name": "Dana Whitfield", "email": "", "phone": "", "preferred_channel": "phone"}
    response = signed_in(staff).post(reverse("customer_edit", args=[customer.pk]), typed)
    assert_refused(response)
    assert "Give an email or a phone number" in form_error(form_on(response, 'name="preferences"'))
    customer.refresh_from_db()
    assert customer.email == "dana@example.com"


# Cases ----------------------------------------------------------------------------------


@pytest.fixture
def new_case(team: Any, category: Any) -> dict[str, Any]:
    return {
        "customer_name": "Nia Newcomer",
        "customer_email": "nia@example.com",
        "customer_phone": "",
        "team": team.pk,
        "subject": "Kettle leaks",
        "category": category.pk,
        "channel": "phone",
        "priority": "high",
        "demeanour": "angry",
        "first_summary": "Second kettle this month",
        "first_minutes": "6",
        "assign_to_me": "on",
    }


def test_case_create_shows_each_error_next_to_its_field_and_keeps_what_was_typed(
    signed_in, staff, new_case
):
    typed = {
        **new_case,
        "customer_name": "",
        "customer_email": "nia@@example",
        "customer_phone": "++",
        "subject": "",
        "first_summary": SCRIPT + UNICODE,
        "first_minutes": "-5",
    }
    response = signed_in(staff).post(reverse("case_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="subject"')
    assert field_error(form, "subject") == "This field is required."
    assert field_error(form, "customer_email") == "Enter a valid email address."
    assert field_error(form, "customer_phone").startswith("Enter a phone number in digits")
    assert "Give the customer" in field_error(form, "customer_name")
    assert field_error(form, "first_minutes") == "Ensure this value is greater than or equal to 0."
    assert_kept(form, typed)
    assert_no_raw_script(response)
    assert not Case.objects.exists()


def test_case_create_asks_for_a_way_to_reach_a_new_customer(signed_in, staff, new_case):
    typed = {**new_case, "customer_email": "", "customer_phone": ""}
    response = signed_in(staff).post(reverse("case_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="subject"')
    assert field_error(form, "customer_email") == "Give an email or a phone number."
    assert_kept(form, typed)


def test_case_subject_of_20000_characters_is_refused_with_a_message(signed_in, staff, new_case):
    typed = {**new_case, "subject": LONG}
    response = signed_in(staff).post(reverse("case_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="first_summary"')
    assert "at most 200 characters (it has 20000)" in field_error(form, "subject")
    assert_kept(form, typed)
    assert not Case.objects.exists()


def test_case_first_summary_of_20000_characters_is_refused_like_any_summary(
    signed_in, staff, new_case
):
    """The first summary is logged as an interaction, whose summary allows 10,000."""
    typed = {**new_case, "first_summary": LONG}
    response = signed_in(staff).post(reverse("case_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="subject"')
    assert "at most 10000 characters (it has 20000)" in field_error(form, "first_summary")
    assert_kept(form, typed)
    assert not Interaction.objects.exists()


def test_case_create_refuses_a_nul_byte_in_the_subject(signed_in, staff, new_case):
    typed = {**new_case, "subject": "Kettle\x00leaks"}
    response = signed_in(staff).post(reverse("case_create"), typed)
    assert_refused(response)
    form = form_on(response, 'name="first_summary"')
    assert field_error(form, "subject") == "Null characters are not allowed."
    assert_kept(form, typed)
    assert not Case.objects.exists()


def test_case_create_for_an_existing_customer_keeps_the_customer_on_error(
    signed_in, staff, customer, new_case
):
    typed = {**new_case, "customer": customer.pk, "subject": ""}
    for key in ("customer_name", "customer_email", "customer_phone"):
        typed.pop(key)
    url = f"{reverse('case_create')}?customer={customer.pk}"
    response = signed_in(staff).post(url, typed)
    assert_refused(response)
    assert "New case for Dana Whitfield" in html_of(response)
    form = form_on(response, 'name="subject"')
    assert field_error(form, "subject") == "This field is required."
    assert_kept(form, typed)


def test_case_create_duplicate_new_customer_offers_the_existing_one(
    signed_in, staff, customer, new_case
):
    client = signed_in(staff)
    typed = {**new_case, "customer_name": "D. Whitfield", "customer_email": "Dana@Example.com"}
    warned = client.post(reverse("case_create"), typed)
    assert_refused(warned)
    assert f"?customer={customer.pk}" in html_of(warned)
    form = form_on(warned, 'name="subject"')
    assert "already exists" in form_error(form)
    assert_kept(form, typed)
    assert not Case.objects.exists()
    created = client.post(
        reverse("case_create"), {**typed, "_duplicate_seen": "1", "create_anyway": "on"}
    )
    assert created.status_code == 302
    assert Case.objects.get().customer.name == "D. Whitfield"


@pytest.mark.parametrize("via", ["post-only", "post-with-own-customer-in-url"])
def test_case_create_with_a_tampered_customer_id_of_another_team_is_refused(
    via, signed_in, staff, customer, other_team, other_team_staff, new_case
):
    theirs = CustomerFactory(name="Olga Outland", team=other_team, created_by=other_team_staff)
    url = reverse("case_create")
    if via == "post-with-own-customer-in-url":
        url = f"{url}?customer={customer.pk}"
    response = signed_in(staff).post(url, {**new_case, "customer": theirs.pk})
    assert response.status_code in {200, 400, 404}
    assert "Olga Outland" not in html_of(response)
    assert not Case.objects.exists()
    assert not Customer.objects.filter(name="Nia Newcomer").exists()


def test_admin_whose_case_is_refused_leaves_no_half_created_customer(
    signed_in, admin_user, team, new_case
):
    """An admin is in no team, so "assign to me" is refused next to the box; the new
    customer must not be saved on its own, or the retry warns of a duplicate."""
    response = signed_in(admin_user).post(reverse("case_create"), new_case)
    assert_refused(response)
    form = form_on(response, 'name="subject"')
    assert "not a member of Downtown store" in field_error(form, "assign_to_me")
    assert_kept(form, new_case)
    assert not Case.objects.exists()
    assert not Customer.objects.filter(email="nia@example.com").exists()


# Logging an interaction -------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_promise_without_a_promised_by_date_is_refused_next_to_the_date(
    htmx, signed_in, staff, case
):
    before = snapshot(case)
    typed = interaction(promise="I will call you back on Friday", summary=UNICODE)
    response = post_interaction(signed_in(staff), case, typed, htmx)
    assert_refused(response)
    if htmx:
        # htmx swaps only 2xx responses, and the panel alone replaces the panel.
        assert response.status_code == 200
        assert "<html" not in html_of(response)
        assert 'id="interaction-panel"' in html_of(response)
    form = interaction_form(response)
    assert 'hx-post="' in form
    assert field_error(form, "promise_due_at") == "Say by when the promise will be kept."
    assert_kept(form, typed)
    assert snapshot(case) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_negative_minutes_are_refused_and_the_rest_is_kept(htmx, signed_in, staff, case):
    before = snapshot(case)
    typed = interaction(minutes="-10", promise="Refund by Monday", promise_due_at=SOON)
    response = post_interaction(signed_in(staff), case, typed, htmx)
    assert_refused(response)
    form = interaction_form(response)
    assert field_error(form, "minutes") == "Ensure this value is greater than or equal to 0."
    assert_kept(form, typed)
    assert snapshot(case) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_interaction_summary_of_20000_characters_is_refused_with_a_message(
    htmx, signed_in, staff, case
):
    typed = interaction(summary=LONG)
    response = post_interaction(signed_in(staff), case, typed, htmx)
    assert_refused(response)
    form = interaction_form(response)
    assert "at most 10000 characters (it has 20000)" in field_error(form, "summary")
    assert_kept(form, typed)
    assert not case.interactions.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_empty_interaction_summary_is_refused(htmx, signed_in, staff, case):
    typed = interaction(summary="", minutes="12")
    response = post_interaction(signed_in(staff), case, typed, htmx)
    assert_refused(response)
    form = interaction_form(response)
    assert field_error(form, "summary") == "This field is required."
    assert_kept(form, typed)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_interaction_with_a_nul_byte_is_refused_not_a_server_error(htmx, signed_in, staff, case):
    typed = interaction(summary="Called\x00back", promise="x\x00")
    response = post_interaction(signed_in(staff), case, typed, htmx)
    assert_refused(response)
    form = interaction_form(response)
    assert field_error(form, "summary") == "Null characters are not allowed."
    assert field_error(form, "promise") == "Null characters are not allowed."
    assert_kept(form, typed)
    assert not case.interactions.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_interaction_script_comes_back_escaped_on_error_and_on_the_timeline(
    htmx, signed_in, staff, case
):
    client = signed_in(staff)
    refused = post_interaction(client, case, interaction(summary=SCRIPT, minutes="-1"), htmx)
    assert_refused(refused)
    assert_no_raw_script(refused)
    post_interaction(
        client,
        case,
        interaction(summary=SCRIPT, promise=SCRIPT, promise_due_at=SOON),
        htmx,
    )
    page = client.get(case.get_absolute_url())
    assert case.interactions.get().summary == SCRIPT
    assert_no_raw_script(page)


def test_interaction_in_unusual_unicode_is_logged_and_shown_exactly(signed_in, staff, case):
    client = signed_in(staff)
    response = post_interaction(client, case, interaction(summary=UNICODE), htmx=True)
    assert response.status_code == 200
    assert case.interactions.get().summary == UNICODE
    assert UNICODE in html_of(response)
    assert UNICODE in html_of(client.get(case.get_absolute_url()))


def test_htmx_interaction_returns_the_fresh_panel_and_updates_the_rest_of_the_page(
    signed_in, staff, case
):
    typed = interaction(promise="Call back Friday", promise_due_at=SOON)
    response = post_interaction(signed_in(staff), case, typed, htmx=True)
    assert response.status_code == 200
    html = html_of(response)
    assert 'id="interaction-panel"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Interaction logged." in html
    assert "<html" not in html  # a partial, not the whole page
    assert "Emailed the delivery slot options" in html  # on the refreshed timeline
    # The panel's form is fresh, ready for the next contact.
    assert "Emailed the delivery slot options" not in interaction_form(response)
    stored = case.interactions.get()
    assert (stored.minutes, stored.promise) == (7, "Call back Friday")


def test_plain_interaction_post_redirects_to_the_case(signed_in, staff, case):
    client = signed_in(staff)
    response = post_interaction(client, case, interaction(), htmx=False)
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    page = client.get(response["Location"])
    assert "Interaction logged." in html_of(page)
    assert "Emailed the delivery slot options" in html_of(page)


def test_interaction_on_a_closed_case_says_why_it_was_refused(signed_in, staff, case):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    client = signed_in(staff)
    response = post_interaction(client, case, interaction(), htmx=False)
    assert response.status_code == 302  # back to the case page, which says why
    response = client.get(response["Location"])
    assert "This case is closed" in html_of(response), shown_messages(response)
    assert not case.interactions.exists()


# Reassign, triage -------------------------------------------------------------------------


def test_reassign_to_a_user_of_another_team_is_refused_and_nothing_changes(
    signed_in, staff, case, other_team_staff
):
    before = snapshot(case)
    response = signed_in(staff).post(
        reverse("case_reassign", args=[case.reference]), {"assignee": other_team_staff.pk}
    )
    assert_refused(response)
    form = action_form(response, case, "reassign")
    assert "Select a valid choice" in field_error(form, "assignee")
    assert "Otto Side" not in form
    assert snapshot(case) == before


@pytest.mark.parametrize("assignee", ["99999", "abc", "99999999999999999999999"])
def test_reassign_to_a_garbage_id_is_refused(assignee, signed_in, staff, case):
    before = snapshot(case)
    response = signed_in(staff).post(
        reverse("case_reassign", args=[case.reference]), {"assignee": assignee}
    )
    assert_refused(response)
    assert "Select a valid choice" in field_error(
        action_form(response, case, "reassign"), "assignee"
    )
    assert snapshot(case) == before


def test_triage_with_a_bogus_priority_is_refused_and_keeps_the_demeanour(signed_in, staff, case):
    before = snapshot(case)
    typed = {"priority": "apocalyptic", "demeanour": "abusive"}
    response = signed_in(staff).post(reverse("case_triage", args=[case.reference]), typed)
    assert_refused(response)
    form = action_form(response, case, "triage")
    assert "Select a valid choice" in field_error(form, "priority")
    assert_kept(form, typed)
    assert snapshot(case) == before


# Resolve, reopen --------------------------------------------------------------------------


def test_resolve_without_an_outcome_is_refused_and_keeps_the_summary(signed_in, staff, case):
    before = snapshot(case)
    typed = {"outcome": "", "summary": f"Gave store credit {UNICODE} {SCRIPT}"}
    response = signed_in(staff).post(reverse("case_resolve", args=[case.reference]), typed)
    assert_refused(response)
    form = action_form(response, case, "resolve")
    assert field_error(form, "outcome") == "This field is required."
    assert_kept(form, typed)
    assert_no_raw_script(response)
    assert snapshot(case) == before


def test_resolve_summary_of_20000_characters_is_refused(signed_in, staff, case):
    typed = {"outcome": "compromise", "summary": LONG}
    response = signed_in(staff).post(reverse("case_resolve", args=[case.reference]), typed)
    assert_refused(response)
    form = action_form(response, case, "resolve")
    assert "at most 10000 characters (it has 20000)" in field_error(form, "summary")
    assert_kept(form, typed)
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_resolving_an_already_resolved_case_says_so(signed_in, staff, case):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    before = snapshot(case)
    response = signed_in(staff).post(
        reverse("case_resolve", args=[case.reference]),
        {"outcome": "within_policy", "summary": "Resolved twice"},
    )
    assert response.status_code in {200, 302, 400}
    if response.status_code == 302:
        response = signed_in(staff).get(response["Location"])
    assert "This case is resolved" in html_of(response), shown_messages(response)
    assert snapshot(case) == before


def test_reopen_without_a_reason_is_refused(signed_in, staff, case):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    before = snapshot(case)
    response = signed_in(staff).post(
        reverse("case_reopen", args=[case.reference]), {"reason": "  "}
    )
    assert_refused(response)
    assert field_error(action_form(response, case, "reopen"), "reason") == "This field is required."
    assert snapshot(case) == before


def test_reopen_reason_of_20000_characters_is_refused_and_kept(signed_in, staff, case):
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit")
    typed = {"reason": LONG}
    response = signed_in(staff).post(reverse("case_reopen", args=[case.reference]), typed)
    assert_refused(response)
    form = action_form(response, case, "reopen")
    assert "at most 2000 characters (it has 20000)" in field_error(form, "reason")
    assert_kept(form, typed)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_reopening_a_case_that_is_not_resolved_says_so(signed_in, staff, case):
    before = snapshot(case)
    response = signed_in(staff).post(
        reverse("case_reopen", args=[case.reference]), {"reason": "Customer rang again"}
    )
    assert response.status_code in {200, 302, 400}
    if response.status_code == 302:
        response = signed_in(staff).get(response["Location"])
    assert "This case is new" in html_of(response), shown_messages(response)
    assert snapshot(case) == before


def test_case_page_gives_every_form_field_its_own_id(signed_in, staff, case):
    """Labels point at ids: two "summary" fields with one id send the resolve label to the
    interaction box (and screen readers with it)."""
    html = html_of(signed_in(staff).get(case.get_absolute_url()))
    ids = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicated == []


# Lists and search with garbage in the URL ------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus&o=password&page=-3&per_page=999999&created_after=notadate",
        "created_min=notadate&created_max=2024-13-45&updated_min=%00",
        "team=abc&assignee=-1&category=99999999999999999999999&priority=%F0%9F%92%A5",
        "page=99999999999999999999999&per_page=-1&o=-subject&o=id",
        "demeanour=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_case_list_with_garbage_filters_still_lists_my_cases(query, signed_in, staff, case):
    response = signed_in(staff).get(f"{reverse('case_list')}?{query}")
    assert response.status_code == 200
    assert SCRIPT not in html_of(response)


def test_case_list_explains_a_bad_filter_next_to_it(signed_in, staff, case):
    response = signed_in(staff).get(reverse("case_list"), {"status": "bogus"})
    assert response.status_code == 200
    filters = form_on(response, 'aria-label="Filter cases"')
    assert "Select a valid choice" in _text(filters)
    assert case.subject in html_of(response)


@pytest.mark.parametrize("view", ["search", "customer_list"])
@pytest.mark.parametrize("query", ["ab\x00cd", SCRIPT, UNICODE, "%", "_", "'; drop table--", "CD-"])
def test_search_boxes_take_any_text_without_a_server_error(view, query, signed_in, staff, case):
    response = signed_in(staff).get(reverse(view), {"q": query})
    assert response.status_code in {200, 302}
    assert SCRIPT not in html_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/customers/99999999999999999999999/",
        "/cases/CD-999999999999/",
        "/cases/new/?customer=99999999999999999999999",
        "/customers/9223372036854775808/",  # one past the largest id a column can hold
    ],
)
def test_huge_ids_in_the_url_are_404_not_a_server_error(url, signed_in, staff):
    assert signed_in(staff).get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/tasks/99999999999999999999/complete/",
        "/tasks/9223372036854775808/cancel/",
        "/requests/99999999999999999999/decide/",
        "/requests/9223372036854775808/withdraw/",
    ],
)
def test_huge_ids_posted_to_are_404_not_a_server_error(url, signed_in, manager):
    assert signed_in(manager).post(url, {}).status_code == 404


def test_no_event_or_interaction_is_written_by_any_refused_form(signed_in, staff, case):
    """A last sweep: a burst of refused posts leaves the timeline exactly as it was."""
    client = signed_in(staff)
    events = CaseEvent.objects.count()
    for action, data in [
        ("interactions", interaction(minutes="-1")),
        ("reassign", {"assignee": "nobody"}),
        ("triage", {"priority": "", "demeanour": ""}),
        ("resolve", {"outcome": "", "summary": ""}),
        ("reopen", {"reason": ""}),
    ]:
        response = client.post(f"{case.get_absolute_url()}{action}/", data)
        assert response.status_code != 500
    assert CaseEvent.objects.count() == events


@pytest.mark.parametrize("value", ["²", "1²", "abc", "-3"])  # huge ids: 404, tested above
def test_a_new_case_for_a_strange_customer_value_is_a_plain_form_never_a_500(
    signed_in, staff, value
):
    """ "²" is a digit to str.isdigit() but not to int(): it used to fail the page."""
    response = signed_in(staff).get(reverse("case_create"), {"customer": value})
    assert response.status_code == 200
    assert "New case" in response.content.decode()
