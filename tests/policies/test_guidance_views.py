"""Demeanour guidance: everyone reads every card; admins edit them, and staff see the
edited card on each case whose customer shows that demeanour."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from policies.models import Demeanour, DemeanourGuidance

pytestmark = pytest.mark.django_db

EDIT = {
    "headline": "Angry customer: breathe, listen, then fix",
    "listen": "Let them finish; note the three facts that matter.",
    "de_escalate": "Name the feeling, then say what you will do in the next ten minutes.",
    "boundaries": "Shouting is fine; insults end the call.",
    "escalate": "A manager joins when the fix is above your limit.",
}


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def field_error(html: str, field: str) -> str:
    """The `invalid-feedback` text the field's `aria-describedby` points at, or ""."""
    control = re.search(rf'<(?:input|textarea)\b[^>]*\bname="{field}"[^>]*>', html)
    assert control, f"no control named {field!r}"
    described = re.search(r'aria-describedby="([^"]+)"', control.group(0))
    refs = described.group(1).split() if described else []  # help text and/or message
    found = (
        re.search(rf'<div id="{re.escape(ref)}" class="invalid-feedback">(.*?)</div>', html, re.S)
        for ref in refs
    )
    feedback = next((match for match in found if match), None)
    if not feedback:
        return ""
    assert "is-invalid" in control.group(0)
    return _text(feedback.group(1))


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name!r}"
    return match.group(1)


def edit_url(demeanour: str) -> str:
    return reverse("guidance_edit", args=[demeanour])


def triage(client: Any, case: Any, demeanour: str) -> None:
    response = client.post(
        reverse("case_triage", args=[case.reference]),
        {"priority": case.priority, "demeanour": demeanour},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("user", ["staff", "manager", "admin_user"])
def test_guidance_list_shows_a_card_for_every_demeanour(user, guidance, signed_in, request):
    response = signed_in(request.getfixturevalue(user)).get(reverse("guidance_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert guidance.count() == len(Demeanour.choices)
    for card in guidance:
        assert f'id="g-{card.demeanour}"' in html
        assert card.get_demeanour_display() in html
        assert card.headline in html
        assert card.escalate in html


def test_only_an_admin_sees_the_edit_links(guidance, staff, admin_user, signed_in):
    as_staff = signed_in(staff).get(reverse("guidance_list")).content.decode()
    assert edit_url("angry") not in as_staff
    as_admin = signed_in(admin_user).get(reverse("guidance_list")).content.decode()
    for value, _label in Demeanour.choices:
        assert edit_url(value) in as_admin


def test_admin_edit_shows_on_the_case_page_for_that_demeanour(
    guidance, admin_user, staff, case, signed_in
):
    admin = signed_in(admin_user)
    form = admin.get(edit_url("angry")).content.decode()
    assert DemeanourGuidance.objects.get(demeanour="angry").headline in form
    response = admin.post(edit_url("angry"), EDIT, follow=True)
    assert response.redirect_chain == [(reverse("guidance_list"), 302)]
    assert "Guidance for Angry saved." in response.content.decode()
    assert EDIT["headline"] in response.content.decode()

    client = signed_in(staff)
    calm_page = client.get(case.get_absolute_url()).content.decode()
    assert EDIT["headline"] not in calm_page  # the case is calm: other guidance
    triage(client, case, "angry")
    angry_page = client.get(case.get_absolute_url()).content.decode()
    guidance_card = re.search(r'<section id="guidance".*?</section>', angry_page, re.S)
    assert guidance_card
    for text in EDIT.values():
        assert text in guidance_card.group(0)


def test_edited_guidance_with_markup_is_shown_escaped_on_the_case(
    guidance, admin_user, staff, case, signed_in
):
    signed_in(admin_user).post(edit_url("calm"), {**EDIT, "headline": "<script>alert(1)</script>"})
    page = signed_in(staff).get(case.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_headline_is_refused_and_keeps_everything_typed(guidance, admin_user, signed_in):
    before = DemeanourGuidance.objects.get(demeanour="angry").headline
    typed = {**EDIT, "headline": "   ", "listen": "Zoë 👩🏽‍🔧 مرحبا <b>bold</b>"}
    response = signed_in(admin_user).post(edit_url("angry"), typed)
    assert response.status_code in {200, 400}
    html = response.content.decode()
    assert field_error(html, "headline") == "This field is required."
    assert textarea(html, "listen") == "Zoë 👩🏽‍🔧 مرحبا &lt;b&gt;bold&lt;/b&gt;"
    for name in ("de_escalate", "boundaries", "escalate"):
        assert textarea(html, name) == EDIT[name]
    assert DemeanourGuidance.objects.get(demeanour="angry").headline == before


def test_headline_over_120_characters_is_refused_and_kept(guidance, admin_user, signed_in):
    typed = {**EDIT, "headline": "h" * 20_000}
    response = signed_in(admin_user).post(edit_url("angry"), typed)
    assert response.status_code in {200, 400}
    html = response.content.decode()
    assert "at most 120 characters (it has 20000)" in field_error(html, "headline")
    assert f'value="{"h" * 20_000}"' in html


def test_nul_byte_in_guidance_is_refused_with_a_message(guidance, admin_user, signed_in):
    response = signed_in(admin_user).post(edit_url("angry"), {**EDIT, "listen": "a\x00b"})
    assert response.status_code in {200, 400}
    assert field_error(response.content.decode(), "listen") == "Null characters are not allowed."


def test_editing_guidance_for_an_unknown_demeanour_is_404(guidance, admin_user, signed_in):
    client = signed_in(admin_user)
    assert client.get(edit_url("furious")).status_code == 404
    assert client.post(edit_url("furious"), EDIT).status_code == 404
    assert not DemeanourGuidance.objects.filter(demeanour="furious").exists()
