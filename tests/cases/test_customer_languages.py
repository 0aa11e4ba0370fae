"""A customer's preferred language: kept on their record (forms, API, export), and used for
everything they are sent and shown — the "what happens next" email from the admin's
template in their language (else its default version), the feedback request and the
feedback page — through a real Celery worker into a real SMTP server."""

from __future__ import annotations

import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, transaction
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casedesk import languages
from cases import services
from cases.models import Customer, Reminder, ReminderKind, ReminderState
from cases.services.followups import feedback_token
from cases.tasks import send_due_reminders
from policies.models import FollowUpRule, MessageTemplate
from policies.texts import message_template
from tests.smtp_sink import body_of
from tests.threads import wait_for, worker_caught_up

POLISH = importlib.import_module(
    "policies.migrations.0010_what_happens_next_translations"
).VERSIONS["pl"]


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match
    return match.group(1)


def nothing_more_in_polish() -> str:
    """The stock "what happens next" as the Polish catalogue has it (translators may
    reword it; it must not be the English)."""
    with translation.override("pl"):
        polish = translation.gettext("Nothing more is needed from you.")
    assert polish != "Nothing more is needed from you."
    return polish


@pytest.fixture
def polish_customer(customer):
    services.update_customer(customer, by=customer.created_by, preferred_language="pl")
    return customer


@pytest.fixture
def templates(what_happens_next):
    """The default "what happens next" and its Polish version, as migrations make them
    (transactional tests flush what migrations wrote)."""
    MessageTemplate.objects.get_or_create(key="what-happens-next", language="pl", defaults=POLISH)
    return MessageTemplate.objects.filter(key="what-happens-next")


# On the record ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_customer_starts_in_the_configured_language(settings, staff, team):
    assert (
        services.create_customer(
            by=staff, team=team, name="A", email="a@example.com"
        ).preferred_language
        == "en-gb"
    )
    settings.CASEDESK_CUSTOMER_LANGUAGE = "pl"
    assert (
        services.create_customer(
            by=staff, team=team, name="B", email="b@example.com"
        ).preferred_language
        == "pl"
    )


@pytest.mark.django_db
def test_the_customer_form_keeps_the_language_and_the_page_shows_it(
    signed_in, staff, team, settings
):
    settings.CASEDESK_CUSTOMER_LANGUAGE = "pl"
    client = signed_in(staff)
    form = client.get(reverse("customer_create")).content.decode()
    assert re.search(r'<option value="pl" selected>Polski</option>', form)  # the default
    created = client.post(
        reverse("customer_create"),
        {
            "name": "Lucía Ortega",
            "email": "lucia@example.com",
            "preferred_channel": "email",
            "preferred_language": "es",
            "team": team.pk,
        },
    )
    customer = Customer.objects.get(name="Lucía Ortega")
    assert created.status_code == 302 and customer.preferred_language == "es"
    page = client.get(customer.get_absolute_url()).content.decode()
    assert '<dd class="col-7" lang="es">Español</dd>' in page

    # An edit from a form without the field (an older page) keeps it.
    client.post(
        reverse("customer_edit", args=[customer.pk]),
        {"name": "Lucía Ortega", "email": "lucia@example.com", "preferred_channel": "phone"},
    )
    customer.refresh_from_db()
    assert (customer.preferred_channel, customer.preferred_language) == ("phone", "es")


@pytest.mark.django_db
def test_a_language_not_offered_is_refused_beside_the_field_and_the_rest_kept(
    signed_in, staff, team
):
    response = signed_in(staff).post(
        reverse("customer_create"),
        {
            "name": "Nia Newcomer",
            "email": "nia@example.com",
            "preferred_channel": "email",
            "preferred_language": "xx",
            "team": team.pk,
        },
    )
    html = response.content.decode()
    assert (
        response.status_code in {200, 400}
        and not Customer.objects.filter(name="Nia Newcomer").exists()
    )
    assert "Select a valid choice. xx is not one of the available choices." in html
    assert 'value="Nia Newcomer"' in html


@pytest.mark.django_db
def test_a_new_case_for_a_new_customer_takes_their_language(signed_in, staff, team, category):
    client = signed_in(staff)
    form = client.get(reverse("case_create")).content.decode()
    assert re.search(r'<label\s+for="id_customer_language"[^>]*>\s*Customer&#x27;s language', form)
    response = client.post(
        reverse("case_create"),
        {
            "customer_name": "Piotr Nowak",
            "customer_email": "piotr@example.com",
            "customer_language": "pl",
            "team": team.pk,
            "subject": "Pralka przecieka",
            "category": category.pk,
            "channel": "in_person",
            "priority": "normal",
            "demeanour": "calm",
            "first_minutes": "0",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.get(name="Piotr Nowak").preferred_language == "pl"


@pytest.mark.django_db
def test_the_subject_access_export_includes_the_language(polish_customer):
    from privacy.export import profile

    assert profile(polish_customer)["preferred_language"] == "pl"


# Which template --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_template_in_the_customer_s_language_else_its_default_version(templates):
    MessageTemplate.objects.filter(key="what-happens-next", language="es").delete()
    default = templates.get(language="")
    assert message_template("what-happens-next", "pl").language == "pl"
    assert message_template("what-happens-next", "es") == default  # no Spanish one: default
    assert message_template("what-happens-next", "en-gb") == default
    assert message_template("no-such-key", "pl") is None


def test_a_regional_language_falls_back_to_its_general_one_then_the_default():
    assert languages.fallbacks("es-MX") == ["es-mx", "es", ""]
    assert languages.fallbacks("pl") == ["pl", ""]
    assert languages.fallbacks(None) == [""]


@pytest.mark.django_db
def test_one_template_per_key_and_language_is_held_by_the_database(templates):
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageTemplate.objects.create(
            key="what-happens-next", language="pl", subject="x", body="y"
        )


@pytest.mark.django_db
def test_the_admin_says_so_beside_the_form_when_that_version_exists(
    signed_in, admin_user, templates
):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    response = signed_in(admin_user).post(
        reverse("admin:policies_messagetemplate_add"),
        {"key": "what-happens-next", "language": "pl", "subject": "Again", "body": "Again"},
    )
    assert response.status_code == 200
    assert (
        "Message template with this Key and Language already exists." in response.content.decode()
    )
    assert site._registry[MessageTemplate].list_filter == ["language"]


@pytest.mark.django_db
def test_what_happens_next_is_written_from_the_customer_s_version(
    polish_customer, case, staff, templates
):
    services.resolve_case(
        case, by=staff, outcome="compromise", summary="Bon na 20 zł", email_customer=True
    )
    note = Reminder.objects.get(kind=ReminderKind.CUSTOMER_UPDATE).note
    subject, _, body = note.partition("\n\n")
    assert subject == f"Sprawa {case.reference}: co dalej"
    assert body.startswith("Dzień dobry Dana Whitfield,")
    # Nothing typed for "next": the stock sentence, in Polish too.
    assert f"Co dalej: {nothing_more_in_polish()}" in body


# End to end, through the worker -------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_polish_customer_s_emails_and_feedback_page_are_in_polish(
    worker, smtp_sink, polish_customer, case, staff, templates
):
    FollowUpRule.objects.create(name="Ask everyone", feedback_after_days=0)
    services.resolve_case(
        case, by=staff, outcome="compromise", summary="Bon na 20 zł", email_customer=True
    )
    send_due_reminders.delay()
    wait_for(lambda: len(smtp_sink.to(polish_customer.email)) == 2, what="both customer emails")
    worker_caught_up()
    update, feedback = sorted(
        smtp_sink.to(polish_customer.email), key=lambda m: "co dalej" not in m["Subject"]
    )

    assert update["Subject"] == f"Sprawa {case.reference}: co dalej"
    assert update["Content-Language"] == "pl"
    text = body_of(update)
    assert text.startswith("Dzień dobry Dana Whitfield,") and "Bon na 20 zł" in text
    assert nothing_more_in_polish() in text

    assert feedback["Content-Language"] == "pl"
    with translation.override("pl"):
        polish_date = date_filter(case.created_at, "j F Y")
    with translation.override("en-gb"):
        assert date_filter(case.created_at, "j F Y") != polish_date  # the month's name
    feedback_text = body_of(feedback)
    assert polish_date in feedback_text

    # The link in it opens the page in Polish, whatever this browser asks for.
    path = urlsplit(re.search(r"https?://\S+/feedback/\S+/", feedback_text).group(0)).path
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page.status_code == 200 and page["Content-Language"] == "pl"
    html = page.content.decode()
    assert html_lang(html) == "pl" and "Zmień język" in html
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}


# The feedback page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_feedback_page_follows_a_visitor_who_switches(polish_customer, case):
    feedback = services.schedule_feedback(case, send_at=case.created_at)
    assert feedback is not None
    link = reverse("feedback", args=[feedback_token(feedback)])
    visitor = Client()
    page = visitor.get(link).content.decode()
    assert html_lang(page) == "pl"
    switch = re.search(r'<form class="language-switcher.*?</form>', page, re.S).group(0)
    assert f'<input type="hidden" name="next" value="{link}">' in switch

    back = visitor.post(reverse("set_language"), {"language": "es", "next": link})
    assert back["Location"] == link
    again = visitor.get(link)
    assert again["Content-Language"] == "es" and "Cambiar idioma" in again.content.decode()


@pytest.mark.django_db
def test_an_english_customer_s_page_is_english_even_in_a_polish_browser(customer, case):
    feedback = services.schedule_feedback(case, send_at=case.created_at)
    assert feedback is not None
    page = Client().get(
        reverse("feedback", args=[feedback_token(feedback)]), HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert page["Content-Language"] == "en-gb" and html_lang(page.content.decode()) == "en-gb"
