"""Guidance cards per language: an admin writes a version in a language (starting from the
default one), staff who use CaseDesk in that language see it on their cases, everyone else
the default version, and an edit shows at once whatever each viewer had cached."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from policies import texts
from policies.admin import GuidanceAdminForm
from policies.models import DemeanourGuidance
from tests.policies.test_guidance_views import EDIT, textarea, triage

pytestmark = pytest.mark.django_db

POLISH = {
    "headline": "Zdenerwowany klient: oddychaj, słuchaj, potem napraw",
    "listen": "Pozwól mu skończyć; zanotuj trzy najważniejsze fakty.",
    "de_escalate": "Nazwij emocję, potem powiedz, co zrobisz w ciągu dziesięciu minut.",
    "boundaries": "Podniesiony głos jest w porządku; obelgi kończą rozmowę.",
    "escalate": "Kierownik dołącza, gdy rozwiązanie przekracza twój limit.",
}


def polish_url(demeanour: str = "angry") -> str:
    return reverse("guidance_edit_language", args=[demeanour, "pl"])


def guidance_card(client, case) -> str:
    page = client.get(case.get_absolute_url()).content.decode()
    card = re.search(r'<section id="guidance".*?</section>', page, re.S)
    assert card, "no guidance card on the case page"
    return card.group(0)


@pytest.fixture
def speakers(staff, colleague, manager):
    """Three people on the same team: one in Polish, one in Spanish, one following an
    English browser."""
    staff.language, colleague.language = "pl", "es"
    staff.save()
    colleague.save()
    return staff, colleague, manager


def test_an_admin_writes_a_version_in_a_language_starting_from_the_default(
    guidance, admin_user, signed_in
):
    admin = signed_in(admin_user)
    listing = admin.get(reverse("guidance_list")).content.decode()
    assert f'<a href="{polish_url()}">Polski (add)</a>' in listing

    form = admin.get(polish_url()).content.decode()
    default = guidance.get(demeanour="angry", language="")
    assert textarea(form, "listen") == default.listen  # a copy to translate, not a blank
    assert "The version in Polski." in form

    saved = admin.post(polish_url(), POLISH, follow=True)
    assert saved.redirect_chain == [(reverse("guidance_list"), 302)]
    html = saved.content.decode()
    assert "Guidance for Angry (Polski) saved." in html
    assert f'<a href="{polish_url()}">Polski (edit)</a>' in html
    assert (
        DemeanourGuidance.objects.get(demeanour="angry", language="pl").headline
        == (POLISH["headline"])
    )
    assert guidance.get(demeanour="angry", language="").listen == default.listen  # untouched

    # Editing it again changes that version only.
    admin.post(polish_url(), {**POLISH, "headline": "Nowy nagłówek"})
    assert DemeanourGuidance.objects.filter(demeanour="angry").count() == 2
    assert (
        DemeanourGuidance.objects.get(demeanour="angry", language="pl").headline == "Nowy nagłówek"
    )


def test_staff_see_the_card_in_their_language_else_the_default(
    guidance, admin_user, speakers, case, signed_in
):
    polish, spanish, english = speakers
    signed_in(admin_user).post(polish_url(), POLISH)
    triage(signed_in(english), case, "angry")
    default = guidance.get(demeanour="angry", language="")

    assert POLISH["headline"] in guidance_card(signed_in(polish), case)
    assert default.headline in guidance_card(signed_in(spanish), case)  # no Spanish one
    assert default.headline in guidance_card(signed_in(english), case)
    listing = signed_in(polish).get(reverse("guidance_list")).content.decode()
    assert POLISH["headline"] in listing and default.headline not in listing


def test_a_new_version_and_an_edit_of_the_default_show_at_once_to_every_viewer(
    guidance, admin_user, speakers, case, signed_in
):
    """Each viewer's language has its own cached card; a Polish viewer had the default
    one cached, and a default edit stands in for every language without its own."""
    polish, spanish, english = speakers
    triage(signed_in(english), case, "angry")
    default = guidance.get(demeanour="angry", language="")
    for person in speakers:
        assert default.headline in guidance_card(signed_in(person), case)  # now cached

    admin = signed_in(admin_user)
    admin.post(polish_url(), POLISH)
    assert POLISH["headline"] in guidance_card(signed_in(polish), case)

    signed_in(admin_user).post(reverse("guidance_edit", args=["angry"]), EDIT)
    assert EDIT["headline"] in guidance_card(signed_in(spanish), case)
    assert EDIT["headline"] in guidance_card(signed_in(english), case)
    assert POLISH["headline"] in guidance_card(signed_in(polish), case)


@pytest.mark.parametrize("language", ["en-gb", "xx", ""])
def test_only_the_other_offered_languages_have_versions_to_edit(
    guidance, admin_user, signed_in, language
):
    """The default version is the default language's; a language not offered is a 404."""
    url = f"/policies/guidance/angry/edit/{language}/"
    client = signed_in(admin_user)
    assert client.get(url).status_code == 404
    assert client.post(url, POLISH).status_code == 404
    assert DemeanourGuidance.objects.filter(demeanour="angry").count() == 1


def test_no_version_in_a_language_without_a_default_one(guidance, admin_user, signed_in):
    DemeanourGuidance.objects.filter(demeanour="calm").delete()
    assert signed_in(admin_user).get(polish_url("calm")).status_code == 404
    with pytest.raises(texts.TextError, match="default version"):
        texts.save_guidance(demeanour="calm", language="pl", **POLISH)
    form = GuidanceAdminForm({"demeanour": "calm", "language": "pl", **POLISH})
    assert not form.is_valid()
    assert form.errors["language"] == ["Write the default version of this card first."]


def test_one_card_per_demeanour_and_language_is_held_by_the_database(guidance):
    DemeanourGuidance.objects.create(demeanour="angry", language="pl", **POLISH)
    with pytest.raises(IntegrityError), transaction.atomic():
        DemeanourGuidance.objects.create(demeanour="angry", language="pl", **POLISH)


def test_the_django_admin_saves_through_the_same_service(guidance, admin_user, signed_in):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = signed_in(admin_user)
    added = client.post(
        reverse("admin:policies_demeanourguidance_add"),
        {"demeanour": "angry", "language": "es", **{k: f"{v} (es)" for k, v in EDIT.items()}},
    )
    assert added.status_code == 302
    card = DemeanourGuidance.objects.get(demeanour="angry", language="es")
    # Once written, a card's demeanour and language are fixed: another is another row.
    change = client.get(reverse("admin:policies_demeanourguidance_change", args=[card.pk]))
    assert 'name="language"' not in change.content.decode()
    again = client.post(
        reverse("admin:policies_demeanourguidance_add"),
        {"demeanour": "angry", "language": "es", **EDIT},
    )
    assert again.status_code == 200
    assert "Demeanour guidance with this Demeanour and Language already exists." in (
        again.content.decode()
    )
