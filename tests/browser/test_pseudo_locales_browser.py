"""Every main page in the pseudo-locales (casedesk/pseudo_locales.py): en-xa, every string
accented and about 30 % longer, fits the screen at desktop and phone widths and leaves no
heading, button, label, table header or navigation link in plain English; ar-xb (pseudo
right-to-left) is laid out right to left with Bootstrap's RTL stylesheet, without
sideways scrolling or navbar items on top of each other. Screenshots go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import override_settings
from playwright.sync_api import Page, expect

from casedesk.pseudo_locales import PSEUDO_LANGUAGES, build

from .pages import DESKTOP, PHONE, MainPage, main_pages, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "casedesk-demo"
ALLOWLIST = Path(__file__).with_name("pseudo_allowlist.txt")
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"
# Where a string is the page's own words, not data: what the detector reads.
CHROME = (
    "h1, h2, h3, h4, h5, h6, button, label, th, legend, dt, caption, .btn, .nav-link,"
    " .dropdown-item, .page-link, .form-text, .navbar-text"
)
# Text nodes directly inside those elements, visible ones only, as [tag, text].
CHROME_TEXT = """(selector) => {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    for (const node of el.childNodes) {
      if (node.nodeType === 3 && node.textContent.trim()) {
        out.push([el.tagName.toLowerCase(), node.textContent.trim()]);
      }
    }
  }
  return out;
}"""
# Boxes of the navbar's items that must never overlap.
NAV_BOXES = """() => [...document.querySelectorAll(
  '.navbar-brand, .navbar .nav-link, .navbar .btn, #nav-search, .navbar-toggler')]
  .filter(el => el.getClientRects().length)
  .map(el => { const r = el.getBoundingClientRect();
               const name = el.textContent.trim() || el.id || el.className;
               return [name, r.left, r.top, r.right, r.bottom]; })"""


@pytest.fixture
def pseudo_locales(settings, tmp_path):
    """Catalogues made from the source's msgids, and the two languages switched on."""
    if LOCALE_MIDDLEWARE not in settings.MIDDLEWARE:
        pytest.skip("needs LocaleMiddleware (issue 16's language infrastructure)")
    folder = build(tmp_path)
    languages = [*settings.LANGUAGES, *PSEUDO_LANGUAGES]
    with override_settings(LANGUAGES=languages, LOCALE_PATHS=[str(folder), *settings.LOCALE_PATHS]):
        yield


def _data_words() -> set[str]:
    """Every word stored in the database's text columns: names, subjects, categories…
    are data, shown as typed, and not a string anyone forgot to mark."""
    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"cases", "policies", "attachments", "webhooks"}:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and field.concrete:
                for value in model._default_manager.values_list(field.name, flat=True)[:2000]:
                    words.update(re.findall(r"[A-Za-z]{3,}", str(value or "")))
    user = apps.get_model("cases", "User")
    for row in user.objects.values_list("username", "first_name", "last_name"):
        words.update(w for value in row for w in re.findall(r"[A-Za-z]{3,}", value))
    return words


def _allowed() -> set[str]:
    lines = ALLOWLIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _visit_all(page: Page, base: str, language: str) -> Iterator[MainPage]:
    """Each main page in `language`; signs in in English, then switches the cookie."""
    signed_in_as: str | None = "nobody"
    for main_page in main_pages(seed()):
        if main_page.who != signed_in_as:
            page.context.clear_cookies()
            if main_page.who:
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Username").fill(main_page.who)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.locator("h1")).to_be_visible()
            page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            signed_in_as = main_page.who
        response = page.goto(base + main_page.path())
        assert response is not None and response.status == 200, (main_page.name, response)
        yield main_page


def _overflow(page: Page) -> str:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return f"scrolls sideways: {width[0]} > {width[1]}" if width[0] > width[1] else ""


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_main_page_fits_the_screen_in_a_longer_language(
    page: Page, live_server, shot, pseudo_locales, width: str
) -> None:
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    problems = []
    for main_page in _visit_all(page, live_server.url, "en-xa"):
        assert page.locator("html").get_attribute("lang") == "en-xa"
        shot(f"en-xa-{width}-{main_page.name}")
        if found := _overflow(page):
            problems.append(f"{main_page.name}: {found}")
    assert not problems, "\n".join(["", *problems])


def test_no_heading_button_label_or_link_is_left_untranslated(
    page: Page, live_server, pseudo_locales
) -> None:
    """Plain ASCII words left on the page's own words in en-xa: a string not marked for
    translation (every pseudo-translated letter is accented). Lists them all at once."""
    page.set_viewport_size(DESKTOP)
    allowed = _allowed()
    found: dict[str, set[str]] = {}
    for main_page in _visit_all(page, live_server.url, "en-xa"):
        # The business's name (CASEDESK_BUSINESS_NAME) is configuration, shown as set.
        business = set(re.findall(r"[A-Za-z]{3,}", settings.CASEDESK_BUSINESS_NAME))
        known = allowed | _data_words() | business
        for tag, text in page.evaluate(CHROME_TEXT, CHROME):
            if any(word not in known for word in re.findall(r"[A-Za-z]{3,}", text)):
                found.setdefault(f"{tag}: {text[:80]}", set()).add(main_page.name)
    report = [f"{what}  [{', '.join(sorted(pages))}]" for what, pages in sorted(found.items())]
    assert not report, "\nNot translated in en-xa:\n" + "\n".join(report)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_main_pages_right_to_left_without_overlap_or_overflow(
    page: Page, live_server, shot, pseudo_locales, width: str
) -> None:
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    problems = []
    for main_page in _visit_all(page, live_server.url, "ar-xb"):
        html = page.locator("html")
        assert html.get_attribute("dir") == "rtl", main_page.name
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
        assert any("bootstrap.rtl" in href for href in sheets), (main_page.name, sheets)
        shot(f"ar-xb-{width}-{main_page.name}")
        if found := _overflow(page):
            problems.append(f"{main_page.name}: {found}")
        boxes = page.evaluate(NAV_BOXES)
        for i, (name, left, top, right, bottom) in enumerate(boxes):
            for other, l2, t2, r2, b2 in boxes[i + 1 :]:
                if min(right, r2) - max(left, l2) > 1 and min(bottom, b2) - max(top, t2) > 1:
                    problems.append(f"{main_page.name}: navbar {name!r} overlaps {other!r}")
    assert not problems, "\n".join(["", *problems])
