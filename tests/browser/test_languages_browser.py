"""The main staff flow in Polish and a manager's decision in Spanish, in a real browser.

Issue 16's acceptance: every control is found by its accessible name in the user's own
language, so an untranslated label, button or message fails here. The Polish and Spanish
words are copied from locale/pl and locale/es (django.po); the sign-in form's "Username"
and "Password" labels are Django's own translations.

Staff choose their language on their profile (User.language). Before signing in, the
sign-in page follows the switcher (Polish test) or the browser's Accept-Language (Spanish
test: a browser context with locale es-ES).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _html(page: Page) -> Locator:
    return page.locator("html")


def _open_nav(page: Page, name: str, toggle: str) -> Locator:
    """The main navigation, unfolded first when the toggler shows (phone width)."""
    toggler = page.get_by_role("button", name=toggle)
    if toggler.is_visible():
        toggler.click()
    return page.get_by_role("navigation", name=name)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_polish_staff_open_a_case_log_an_interaction_and_add_a_follow_up(
    page: Page, live_server, staff, case, guidance, watch, shot, viewport
) -> None:
    staff.language = "pl"
    staff.save(update_fields=["language"])
    page.set_viewport_size(viewport)
    summary = "Klientka dzwoniła: pralka przyjechała z wgniecionymi drzwiczkami."
    title = "Oddzwonić, gdy magazyn sprawdzi stan"
    due = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=30)

    # The sign-in page in Polish through the switcher (Chromium asks for English).
    page.goto(f"{live_server.url}/accounts/login/")
    expect(_html(page)).to_have_attribute("lang", "en-gb")
    page.get_by_label("Language").select_option("pl")
    page.get_by_role("button", name="Change language").click()
    expect(_html(page)).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zaloguj się do CaseDesk")
    page.get_by_label("Nazwa użytkownika").fill(staff.username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dzień dobry")
    expect(_html(page)).to_have_attribute("lang", "pl")
    shot("home-pl")

    # Sprawy (Cases) → the case, from the list.
    nav = _open_nav(page, "Główna", "Przełącz nawigację")
    nav.get_by_role("link", name="Sprawy", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/cases/")
    page.get_by_role("main").get_by_role("link", name=case.reference, exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}{case.get_absolute_url()}")
    expect(_html(page)).to_have_attribute("lang", "pl")

    # Log an interaction: "Zarejestruj kontakt".
    panel = page.locator("#interaction-panel")
    panel.get_by_label("Kanał").select_option(label="Telefon")
    panel.get_by_label("Kierunek").select_option(label="Przychodzący")
    panel.get_by_label("Obecne zachowanie").select_option(label="Spokojny")
    panel.get_by_label("Podsumowanie").fill(summary)
    panel.get_by_label("Minuty").fill("7")
    panel.get_by_role("button", name="Zarejestruj kontakt").click()
    expect(panel.get_by_role("status").filter(has_text="Zarejestrowano")).to_have_text(
        "Zarejestrowano kontakt."
    )
    expect(page.locator("#timeline")).to_contain_text(summary)
    expect(page.locator("#case-header .badge[class*='status-']")).to_have_text("Otwarta")
    shot("interaction-logged")

    # Add a follow-up ("Dodaj zadanie" is both the fold's summary and the button).
    card = page.get_by_role("region", name="Zadania następcze")
    card.locator("summary").filter(has_text="Dodaj zadanie").click()
    card.get_by_label("Tytuł").fill(title)
    card.get_by_label("Rodzaj").select_option(label="Oddzwonienie")
    # Polish date input: day.month.year (casedesk/formats/pl).
    card.get_by_label(re.compile(r"^\s*Termin\b")).fill(due.strftime("%d.%m.%Y %H:%M"))
    card.get_by_role("button", name="Dodaj zadanie").click()

    expect(page.locator("#messages")).to_contain_text("Dodano zadanie; zaplanowano przypomnienia.")
    row = page.get_by_role("region", name="Zadania następcze").get_by_role("listitem")
    row = row.filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Oddzwonienie")
    expect(row.locator(".badge")).to_have_text("Otwarte")
    expect(page.locator("#timeline .event-task_added")).to_contain_text(
        f"Dodano zadanie następcze: {title}"
    )
    # The interaction is saved, not only shown: it is there after a fresh load.
    page.reload()
    expect(page.locator("#timeline")).to_contain_text(summary)
    expect(_html(page)).to_have_attribute("lang", "pl")
    shot("follow-up-added")

    watch.assert_clean()


@pytest.mark.browser_context_args(locale="es-ES")
def test_spanish_manager_approves_from_the_approvals_queue(
    page: Page, live_server, staff, manager, case, allowed, guidance, watch, shot
) -> None:
    from cases import services

    manager.language = "es"
    manager.save(update_fields=["language"])
    # 80.00 is over the staff limit (25.00): the request waits for a manager.
    services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("80"),
        customer_ask="Quiere recuperar la tarifa de diagnóstico.",
        justification="Segunda visita por la misma avería.",
    )
    reason = "El técnico se equivocó en la primera visita."

    # The sign-in page follows the browser's Accept-Language.
    page.goto(f"{live_server.url}/accounts/login/")
    expect(_html(page)).to_have_attribute("lang", "es")
    page.get_by_label("Nombre de usuario").fill(manager.username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")

    nav = _open_nav(page, "Principal", "Mostrar u ocultar navegación")
    nav.get_by_role("link", name=re.compile(r"^Aprobaciones")).click()
    expect(page).to_have_url(f"{live_server.url}/approvals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aprobaciones 1")
    item = page.get_by_role("region", name=re.compile(re.escape(case.reference)))
    expect(item).to_have_count(1)
    item.get_by_label("Aprobar", exact=True).check()
    item.get_by_label("Motivo").fill(reason)
    shot("decision-es")
    item.get_by_role("button", name="Registrar decisión").click()

    expect(page).to_have_url(f"{live_server.url}/approvals/")
    expect(page.locator("#messages")).to_contain_text(f"{case.reference}: aprobada por")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aprobaciones 0")
    expect(page.get_by_role("main")).to_contain_text("No tienes nada pendiente.")
    expect(_html(page)).to_have_attribute("lang", "es")
    shot("approved-es")

    watch.assert_clean()
