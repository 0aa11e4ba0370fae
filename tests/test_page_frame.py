"""The page's frame (navigation, footer, shortcuts, scripts) is kept rendered per process
(cases/templatetags/frame_tags.py): whoever asks next must still see their own name,
role, language, page, search text and a CSRF token that works for their own session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.models import Role

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def nav(html: str) -> str:
    return html.split("<nav", 1)[1].split("</nav>", 1)[0]


def page(client: Client, name: str = "my_tasks", **params: str) -> str:
    return client.get(reverse(name), params).content.decode()


def test_each_person_sees_their_own_name_and_role_on_the_same_page(staff, colleague, manager):
    staff.first_name, colleague.first_name, manager.first_name = "Ada", "Bea", "Cyd"
    shown = {}
    for person in (staff, colleague, manager, staff):
        person.save()
        client = Client()
        client.force_login(person)
        shown[person.first_name] = nav(page(client))
    assert ">Ada</a>" in shown["Ada"] and ">Bea<" not in shown["Ada"]
    assert ">Bea</a>" in shown["Bea"] and ">Ada<" not in shown["Bea"]
    assert "Approvals" in shown["Cyd"] and "Approvals" not in shown["Ada"]


def test_a_renamed_person_sees_the_new_name_on_the_next_page(signed_in, staff):
    client = signed_in(staff)
    staff.first_name = "Before"
    staff.save()
    assert ">Before</a>" in nav(page(client))
    staff.first_name = "After"
    staff.save()
    assert ">After</a>" in nav(page(client))


def test_the_page_being_shown_is_the_one_marked_active(signed_in, staff):
    client = signed_in(staff)
    cases = nav(page(client, "case_list"))
    tasks = nav(page(client, "my_tasks"))
    assert re.search(r'nav-link active" href="/cases/"', cases)
    assert re.search(r'nav-link active" href="/tasks/"', tasks)
    assert not re.search(r'nav-link active" href="/cases/"', tasks)


def test_every_session_gets_its_own_csrf_token_and_it_signs_out(staff, colleague):
    tokens = []
    for person in (staff, colleague):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        html = page(client)
        found = set(TOKEN.findall(html))
        assert len(found) == 2, "the sign-out form and the shortcuts switch each have one"
        tokens.append(found)
        token = TOKEN.search(html).group(1)
        response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session
    assert not tokens[0] & tokens[1]


def test_the_search_box_shows_this_request_s_text_escaped(signed_in, staff):
    client = signed_in(staff)
    html = page(client, "search", q='<script>alert("x")</script>')
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in html
    assert "<script>alert" not in html
    assert 'name="q" value=""' in page(client, "my_tasks")


def test_the_shortcuts_switch_returns_to_the_page_it_was_used_on(signed_in, staff):
    client = signed_in(staff)
    html = page(client, "case_list", status="open")
    assert 'name="next" value="/cases/?status=open"' in html
    assert 'name="next" value="/tasks/"' in page(client, "my_tasks")


def test_a_name_shaped_like_a_placeholder_is_shown_as_typed(signed_in, staff):
    staff.first_name = "<kept:csrf>"
    staff.save()
    html = page(signed_in(staff))
    assert ">&lt;kept:csrf&gt;</a>" in nav(html)


def test_each_language_has_its_own_frame(signed_in, staff, colleague):
    # Alike in everything the frame shows but their language.
    for person in (staff, colleague):
        person.first_name, person.last_name = "Ola", "Nowak"
        person.save()
    colleague.language = "pl"
    colleague.save()
    english = page(signed_in(staff))
    other = Client()
    other.force_login(colleague)
    polish = page(other)
    assert "Sign out" in nav(english) and "Sign out" not in nav(polish)
    assert "Wyloguj" in nav(polish)
    footer = re.compile(r"<footer.*?</footer>", re.S)
    assert "Keyboard shortcuts" in footer.search(english).group(0)
    assert "Skróty klawiszowe" in footer.search(polish).group(0)


def test_anonymous_pages_have_no_signed_in_frame(client):
    html = client.get(reverse("login")).content.decode()
    assert "Sign out" not in html and "shortcuts-dialog" not in html


def test_the_kept_parts_read_only_what_the_tag_passes():
    """A kept part that read the request or the user would be kept under a key that does
    not hold what it shows: the next person could see the first one's."""
    templates = Path(settings.BASE_DIR) / "templates" / "_partials"
    for name in ("nav.html", "page_end.html", "shortcuts.html", "js_strings.html"):
        text = (templates / name).read_text()
        code = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        used = re.findall(r"\{[{%][^}]*\b(user|request|perms)\b", code)
        assert not used, f"{name} reads {used}"


def test_roles_see_their_menus(signed_in, team):
    from tests.factories import UserFactory

    admin = UserFactory(role=Role.ADMIN, teams=[team])
    html = nav(page(signed_in(admin)))
    assert "Webhooks" in html and "Insights" in html
