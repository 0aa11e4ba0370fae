"""Who sees which language: a signed-in person's own choice on their profile, otherwise what
the browser asks for (the switcher's cookie, then Accept-Language); plural forms as Polish
readers expect them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases.models import User

pytestmark = pytest.mark.django_db

CARDS_LEFT = "%(language)s: %(counter)s card has no version in this language yet."
CARDS_LEFT_PLURAL = "%(language)s: %(counter)s cards have no version in this language yet."


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "no <html lang>"
    return match.group(1)


def switcher(html: str) -> str:
    match = re.search(r'<form class="language-switcher.*?</form>', html, re.S)
    assert match, "no language switcher"
    return match.group(0)


# The sign-in page, for anyone ----------------------------------------------------------------


def test_an_anonymous_sign_in_page_is_in_the_language_the_browser_asks_for(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")
    html = response.content.decode()
    assert html_lang(response) == "pl"
    assert response["Content-Language"] == "pl"
    assert "Accept-Language" in response["Vary"]  # a shared cache keeps one per language
    assert "Zmień język" in html  # our own catalogue
    assert "Nazwa użytkownika" in html  # Django's own (the username field's label)


@pytest.mark.parametrize(
    ("asked", "expected"), [("en-GB,en;q=0.9", "en-gb"), ("en-US", "en-gb"), ("fr-FR", "en-gb")]
)
def test_english_or_a_language_not_offered_gives_british_english(client, asked, expected):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=asked)
    assert html_lang(response) == expected
    assert "Change language" in response.content.decode()


def test_the_sign_in_switcher_is_a_labelled_form_that_works_without_javascript(client):
    page = client.get(reverse("login") + "?next=/tasks/").content.decode()
    form = switcher(page)
    assert f'action="{reverse("set_language")}"' in form and 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<label class="form-label small mb-1" for="language-switcher">' in form
    assert '<select id="language-switcher"' in form and 'name="language"' in form
    assert '<button class="btn btn-outline-secondary btn-sm" type="submit">' in form
    # Each language named in itself (and marked as such for screen readers).
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in form and f">{name}</option>" in form
    # It comes back to this very page, with the page the person was going to.
    assert '<input type="hidden" name="next" value="/accounts/login/?next=/tasks/">' in form
    assert "<script" not in form


def test_switching_on_the_sign_in_page_keeps_the_language_and_where_to_go_next(
    client, staff, settings
):
    settings.AXES_ENABLED = False  # the sign-in below goes through the real form
    back = reverse("login") + "?next=/tasks/"
    switched = client.post(reverse("set_language"), {"language": "es", "next": back})
    assert switched.status_code == 302 and switched["Location"] == back
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"

    page = client.get(back, HTTP_ACCEPT_LANGUAGE="pl")  # the choice wins over the browser
    assert html_lang(page) == "es" and "Cambiar idioma" in page.content.decode()
    assert '<input type="hidden" name="next" value="/tasks/">' in page.content.decode()
    signed_in = client.post(
        back, {"username": "staff", "password": "correct-horse-battery", "next": "/tasks/"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/tasks/"


def test_a_language_not_offered_cannot_be_switched_to(client):
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert html_lang(client.get(reverse("login"))) == "en-gb"


def test_the_switcher_does_not_send_anyone_off_site(client):
    response = client.post(
        reverse("set_language"), {"language": "pl", "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example.com")


# Staff: their own language, on their profile -----------------------------------------------


def profile_section(client) -> str:
    html = client.get(reverse("profile")).content.decode()
    match = re.search(
        r'<section class="card mb-4" aria-labelledby="language-title">.*?</section>', html, re.S
    )
    assert match, "no language section on the profile page"
    return match.group(0)


def test_a_language_chosen_on_the_profile_is_used_on_the_next_page(signed_in, staff):
    client = signed_in(staff)
    section = profile_section(client)
    assert '<option value="" selected>Same as my browser</option>' in section

    saved = client.post(
        reverse("profile"), {"action": "save_language", "language": "pl"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert saved.status_code == 302 and saved["Location"] == reverse("profile")
    staff.refresh_from_db()
    assert staff.language == "pl"

    # Whatever the browser asks for, every page is in the person's language now.
    page = client.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert html_lang(page) == "pl" and page["Content-Language"] == "pl"
    assert "Zapisano język." in html  # said in the language just chosen
    assert '<option value="pl" selected>Polski</option>' in html
    assert html_lang(client.get(reverse("my_tasks"), HTTP_ACCEPT_LANGUAGE="es")) == "pl"


def test_following_the_browser_again_gives_the_browser_s_language(signed_in, staff):
    staff.language = "pl"
    staff.save()
    client = signed_in(staff)
    client.post(reverse("profile"), {"action": "save_language", "language": ""})
    staff.refresh_from_db()
    assert staff.language == ""
    assert html_lang(client.get(reverse("my_tasks"), HTTP_ACCEPT_LANGUAGE="es")) == "es"
    assert html_lang(client.get(reverse("my_tasks"), HTTP_ACCEPT_LANGUAGE="en")) == "en-gb"


def test_the_profile_language_goes_with_the_person_not_the_browser(signed_in, staff, colleague):
    """A shared counter terminal: the next person to sign in gets their own language."""
    staff.language = "es"
    staff.save()
    client = signed_in(staff)
    assert html_lang(client.get(reverse("my_tasks"))) == "es"
    client.post(reverse("logout"))
    signed_in(colleague)
    assert html_lang(client.get(reverse("my_tasks"))) == "en-gb"


def test_an_unknown_language_is_refused_beside_the_field(signed_in, staff):
    client = signed_in(staff)
    response = client.post(reverse("profile"), {"action": "save_language", "language": "xx"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="language-error">Select a valid choice\. xx is not one', html)
    staff.refresh_from_db()
    assert staff.language == ""


def test_a_profile_language_costs_no_query(signed_in, staff):
    """The user row, language included, is read for every signed-in request anyway."""
    client = signed_in(staff)
    client.get(reverse("my_tasks"))  # warm: session, caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("my_tasks")).status_code == 200
        return len(ctx.captured_queries)

    following_the_browser = queries()
    User.objects.filter(pk=staff.pk).update(language="pl")
    queries()  # the first page in the new language warms its own cache entries
    assert queries() == following_the_browser


def test_a_language_taken_out_of_languages_is_ignored(signed_in, staff, settings):
    staff.language = "es"
    staff.save()
    settings.LANGUAGES = [("en-gb", "English"), ("pl", "Polski")]
    response = signed_in(staff).get(reverse("my_tasks"), HTTP_ACCEPT_LANGUAGE="pl")
    assert html_lang(response) == "pl"


# Plural forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "polish"),
    [
        (1, "1 karta nie ma"),
        (2, "2 karty nie mają"),
        (5, "5 kart nie ma"),
        (22, "22 karty nie mają"),
        (25, "25 kart nie ma"),
    ],
)
def test_polish_has_three_plural_forms(count, polish):
    """A real marked string (templates/policies/guidance_list.html) in the compiled
    catalogue: one, a few (2–4, 22–24…), many (5–21, 25…)."""
    with translation.override("pl"):
        text = translation.ngettext(CARDS_LEFT, CARDS_LEFT_PLURAL, count)
    assert text % {"language": "Polski", "counter": count} == (
        f"Polski: {polish} jeszcze wersji w tym języku."
    )


@pytest.mark.parametrize(
    ("count", "spanish"), [(1, "1 tarjeta aún no tiene"), (2, "2 tarjetas aún no tienen")]
)
def test_spanish_has_two(count, spanish):
    with translation.override("es"):
        text = translation.ngettext(CARDS_LEFT, CARDS_LEFT_PLURAL, count)
    assert text % {"language": "Español", "counter": count} == (
        f"Español: {spanish} versión en este idioma."
    )


def test_the_plural_on_a_page_follows_the_count(signed_in, admin_user, guidance):
    admin_user.language = "pl"
    admin_user.save()
    html = signed_in(admin_user).get(reverse("guidance_list")).content.decode()
    lines = re.search(
        r'<ul class="list-unstyled small" id="untranslated-guidance">(.*?)</ul>', html, re.S
    )
    assert lines
    text = " ".join(lines.group(1).split())
    assert "Polski: 6 kart nie ma jeszcze wersji w tym języku." in text
    assert "Español: 6 kart nie ma jeszcze wersji w tym języku." in text
