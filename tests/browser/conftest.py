"""Browser-only fixtures: a watched page, sign-in through the form, screenshots.

Every browser test gets `watch`, which records, for the whole test:

* console messages of type "error" and uncaught page errors (`pageerror`);
* Content-Security-Policy violations, both as Chromium logs them (console errors) and as
  the page reports them (`securitypolicyviolation` events, relayed through a binding that
  the CSP cannot block);
* the URL of every request the browser context made (pages, static files, htmx calls),
  which must all stay on the live server's scheme, host and port.

Call `watch.assert_clean()` at the end of the test; it runs again at teardown so a test
that forgets still fails (as a teardown error). A test that expects an error response
(a 404 page) declares it with `watch.allow_console(...)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

# Waits on the page (actions and expect) get up to 30 s: on a machine busy with other
# work a live-server response can take seconds; a passing check returns at once.
BROWSER_WAIT_MS = 30_000
expect.set_options(timeout=BROWSER_WAIT_MS)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-battery"

# Forward CSP violations to Python. Runs in every document before the page's own scripts;
# Playwright injects it over CDP, so the page's CSP does not apply to it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  if (window.__cspViolation) {
    const where = [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber];
    window.__cspViolation(where.join(" "));
  }
});
"""


@dataclass
class PageWatch:
    """What the page did: errors, CSP violations and every request's URL."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow_console(self, pattern: str) -> None:
        """Tolerate console errors matching `pattern` (e.g. the 404 of a page under test)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        self.console_errors.append(f"{message.text} [{location.get('url', '')}]")

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def unexpected_console_errors(self) -> list[str]:
        return [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.allowed)
        ]

    def foreign_requests(self) -> list[str]:
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"}:
                continue
            if f"{parts.scheme}://{parts.netloc}" != self.origin:
                foreign.append(url)
        return foreign

    def assert_clean(self) -> None:
        assert self.requests, "the page made no request at all: was the watch attached?"
        assert not self.page_errors, f"uncaught JavaScript errors: {self.page_errors}"
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"
        csp_logged = [t for t in self.console_errors if "Content Security Policy" in t]
        assert not csp_logged, f"Content-Security-Policy violations (console): {csp_logged}"
        errors = self.unexpected_console_errors()
        assert not errors, f"console errors: {errors}"
        assert not self.server_errors, f"server errors (5xx): {self.server_errors}"
        foreign = self.foreign_requests()
        assert not foreign, f"requests left the live server {self.origin}: {foreign}"


@pytest.fixture
def origin(live_server) -> str:
    parts = urlsplit(live_server.url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def watch(page: Page, origin: str, request: pytest.FixtureRequest) -> Iterator[PageWatch]:
    """Attach the listeners before the first navigation; check everything at the end."""
    result = PageWatch(origin=origin)
    page.set_default_timeout(BROWSER_WAIT_MS)
    page.on("console", result.on_console)
    page.on("pageerror", lambda error: result.page_errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            result.server_errors.append(f"{response.status} {response.url}")
            if response.status >= 500
            else None
        ),
    )
    # Context-wide, so that popups, workers and prefetches are seen too.
    page.context.on("request", result.on_request)
    page.expose_function("__cspViolation", lambda report: result.csp_violations.append(report))
    page.add_init_script(CSP_LISTENER)
    yield result
    report = getattr(request.node, "rep_call", None)
    if report is None or report.passed:
        # A test that already failed needs no second report of the same page.
        result.assert_clean()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item, so `shot` can tell a failed test at teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Path]]:
    """Save a full-page screenshot as test-artifacts/screenshots/<test>--<nn>-<step>.png.

    A failing test also leaves a `failed` screenshot of where it stopped.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    counter = {"n": 0}

    def _shot(step: str) -> Path:
        counter["n"] += 1
        path = ARTIFACTS / f"{test_name}--{counter['n']:02d}-{step}.png"
        # caret="initial": Playwright's default caret hiding leaves style="" on inputs, and
        # htmx's settle step then copies that attribute, which the CSP reports.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    yield _shot
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        _shot("failed")


@pytest.fixture
def sign_in(page: Page, live_server, watch: PageWatch) -> Callable[..., None]:
    """Sign in through the login form (which also goes through django-axes)."""

    def _sign_in(user, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    return _sign_in


# A second person at another browser ----------------------------------------------------


@dataclass
class Window:
    """A page in its own browser context (its own cookies), watched like `watch` does.

    For workflows with two people (a customer and staff, staff and a manager): each one
    gets a fresh context, and each context's page is checked for errors, CSP violations
    and off-server requests at the end of the test.
    """

    page: Page
    watch: PageWatch
    base_url: str
    name: str
    shot_prefix: str
    shots: int = 0

    def sign_in(self, user, password: str = PASSWORD) -> None:
        """The same steps as the `sign_in` fixture, in this window."""
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("Hello")

    def shot(self, step: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.shot_prefix}--{self.name}-{self.shots:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        return path


@pytest.fixture
def new_window(new_context, live_server, origin: str, request: pytest.FixtureRequest):
    """`new_window("manager")` opens a fresh, watched browser context with one page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    windows: list[Window] = []

    def _open(name: str) -> Window:
        page = new_context().new_page()
        result = PageWatch(origin=origin)
        page.set_default_timeout(BROWSER_WAIT_MS)
        page.on("console", result.on_console)
        page.on("pageerror", lambda error: result.page_errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                result.server_errors.append(f"{response.status} {response.url}")
                if response.status >= 500
                else None
            ),
        )
        page.context.on("request", result.on_request)
        page.expose_function("__cspViolation", lambda r: result.csp_violations.append(r))
        page.add_init_script(CSP_LISTENER)
        window = Window(
            page=page, watch=result, base_url=live_server.url, name=name, shot_prefix=prefix
        )
        windows.append(window)
        return window

    yield _open
    report = getattr(request.node, "rep_call", None)
    for window in windows:
        if report is not None and report.failed and not window.page.is_closed():
            window.shot("failed")
    if report is None or report.passed:
        for window in windows:
            window.watch.assert_clean()
