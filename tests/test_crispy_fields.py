"""crispy's field template written in Python (casedesk/crispy_fields.py) must write what
crispy's own template writes, for every form CaseDesk shows: blank, and sent back with
errors. Each page is rendered twice, once with crispy's template for every field, and the
two compared, ignoring only whitespace between tags and what changes on every request
(CSRF token, CSP nonce)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django import forms
from django.template import Template, engines
from django.urls import reverse
from django.utils import timezone

from casedesk import crispy_fields
from tests.exception_fixtures import allowed, ask, policy  # noqa: F401

pytestmark = pytest.mark.django_db


def norm(page: str) -> str:
    page = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", page)
    page = re.sub(r'nonce="[^"]+"', 'nonce="…"', page)
    page = re.sub(r">\s+<", "><", page)
    page = re.sub(r"\s+", " ", page)
    # crispy's template puts the label's text on its own line: the same text to a reader.
    page = re.sub(r"(<label [^>]*>) ", r"\1", page)
    return page.replace(" </label>", "</label>")


@pytest.fixture
def both_ways(monkeypatch):
    """`both_ways(render)` → (Python fields, crispy's template), each from a fresh render."""

    def render(make):
        fast = make()
        with monkeypatch.context() as patch:
            patch.setattr(crispy_fields.FieldTemplate, "_render", Template._render)
            slow = make()
        return norm(fast), norm(slow)

    return render


class Ordinary(forms.Form):
    """Every kind of field the Python path takes, with what changes its markup."""

    error_css_class = "has-error"
    required_css_class = "is-required"

    name = forms.CharField(max_length=20, help_text="Your <em>full</em> name")
    kind = forms.ChoiceField(choices=[("", "—"), ("a", "Apples & <pears>")])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    count = forms.IntegerField(min_value=1, widget=forms.NumberInput(attrs={"class": "w-25"}))
    email = forms.EmailField(required=False, label="E-mail <address>")
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    tags = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    unlabelled = forms.CharField(label="", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    # Handed to crispy's own template:
    agree = forms.BooleanField(required=False)
    colour = forms.ChoiceField(choices=[("r", "Red")], widget=forms.RadioSelect)
    upload = forms.FileField(required=False)


TEMPLATE = "{% load crispy_forms_tags %}{% crispy form %}"


@pytest.mark.parametrize("data", [None, {}, {"name": "x" * 30, "count": "0", "when": "nope"}])
def test_every_ordinary_field_blank_and_with_errors_reads_as_crispy_writes_it(both_ways, data):
    def make():
        form = Ordinary(data)
        if data is not None:
            form.add_error(None, "Something about the whole form")
        return engines["django"].from_string(TEMPLATE).render({"form": form})

    fast, slow = both_ways(make)
    assert fast == slow
    if data is not None:
        assert "is-invalid" in fast  # the errors are on the page, next to their fields
    # The widget's own class first, then crispy's name for its type, then Bootstrap's.
    assert 'class="w-25 numberinput form-control' in fast


def page_views(case, manager, admin_user, policy):  # noqa: F811
    """(who, method, url, data) for every page with a crispy form."""
    ref = case.reference
    exc = policy.allowed_exceptions.get()
    return [
        (None, "get", reverse("login"), None),
        (None, "post", reverse("login"), {"username": "nobody", "password": "x"}),
        ("staff", "get", case.get_absolute_url(), None),
        ("staff", "post", reverse("case_log_interaction", args=[ref]), {"minutes": "lots"}),
        ("staff", "post", reverse("case_reassign", args=[ref]), {"assignee": "999999"}),
        ("staff", "post", reverse("case_triage", args=[ref]), {"priority": "nope"}),
        ("staff", "post", reverse("case_resolve", args=[ref]), {}),
        ("staff", "post", reverse("case_add_task", args=[ref]), {"due_at": "soon"}),
        ("manager", "post", reverse("case_mark_study", args=[ref]), {}),
        ("staff", "get", reverse("case_create"), None),
        ("staff", "post", reverse("case_create"), {"subject": ""}),
        ("staff", "get", reverse("customer_create"), None),
        ("staff", "post", reverse("customer_create"), {"email": "not an address"}),
        ("staff", "get", reverse("customer_edit", args=[case.customer_id]), None),
        ("manager", "get", reverse("approvals"), None),
        ("admin", "get", reverse("policy_create"), None),
        ("admin", "post", reverse("policy_create"), {"code": "bad code!"}),
        ("admin", "get", reverse("policy_edit", args=[policy.code]), None),
        ("admin", "get", reverse("exception_edit", args=[policy.code, exc.pk]), None),
        ("admin", "post", reverse("exception_edit", args=[policy.code, exc.pk]), {"kind": "?"}),
        ("admin", "get", reverse("guidance_edit", args=["angry"]), None),
        ("admin", "get", reverse("webhook_endpoint_create"), None),
        ("admin", "post", reverse("webhook_endpoint_create"), {"url": "ftp://x"}),
    ]


@time_machine.travel(timezone.now(), tick=False)  # forms that start at "now" show one time
def test_every_page_s_forms_read_as_crispy_writes_them(
    client,
    both_ways,
    staff,
    manager,
    admin_user,
    case,
    policy,  # noqa: F811
):
    ask(case, staff, policy.allowed_exceptions.get(), value="90.00")  # one waits for a manager
    people = {"staff": staff, "manager": manager, "admin": admin_user}
    fields_seen = 0
    for who, method, url, data in page_views(case, manager, admin_user, policy):
        client.logout()
        if who:
            client.force_login(people[who])

        def make(method=method, url=url, data=data):
            response = getattr(client, method)(url, data) if data is not None else client.get(url)
            assert response.status_code in (200, 400), (url, response.status_code)
            return response.content.decode()

        fast, slow = both_ways(make)
        assert fast == slow, url
        fields_seen += fast.count('<div id="div_id_')
    assert fields_seen > 100  # the pages did show their forms
