"""Every cache key the app uses, named in one place.

With CACHE_URL pointing at Redis the cache is shared by every web process and worker, so
a key written by one is read (and must be cleared) by the others: the writer and the
clearer build it here, never by hand. Django adds CACHE KEY_PREFIX and a version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.cache.utils import make_template_fragment_key

# How long a guidance card is kept. An edit clears it at once for every process (see
# policies/apps.py), so this only bounds a card deleted behind the app's back.
GUIDANCE_SECONDS = 300

# The active quick logs, on every case page; any change clears them (policies/apps.py).
QUICK_LOGS = "casedesk:quick-logs"

# The case list's `{% cache … case_filter_form … %}` fragment in
# templates/cases/case_list.html. The tag takes its name as a literal, so the template
# repeats it; tests/test_cache.py checks the two agree.
FILTER_FORM_FRAGMENT = "case_filter_form"


def guidance(demeanour: str, language: str | None) -> str:
    """The demeanour guidance card shown on every case page, in one language."""
    return f"casedesk:guidance:{demeanour}:{language or ''}"


def every_guidance_language(demeanour: str, languages: Iterable[str]) -> list[str]:
    """The keys one card edit clears: a default version stands in for every language
    without its own, so an edit of it changes what all of them show."""
    return [guidance(demeanour, language) for language in ("", *languages)]


def insights(*, start: date | datetime, end: date | datetime, team_ids: Iterable[int]) -> str:
    """One period's insights for one selection of teams, shared for a minute."""
    teams = ",".join(str(team_id) for team_id in sorted(team_ids))
    return f"casedesk:insights:{start.isoformat()}:{end.isoformat()}:{teams}"


# The bulk-actions bar's "Assign to" options on a manager's case list: the same for one
# person whatever the URL, kept as long as the filter form (the service checks the chosen
# person afresh, so a stale list can offer someone who has left, never let them be chosen).
BULK_PEOPLE_FRAGMENT = "case_bulk_people"


def bulk_people(*, user_id: int) -> str:
    return make_template_fragment_key(BULK_PEOPLE_FRAGMENT, [user_id])


def filter_form(*, user_id: int, query: str, language: str) -> str:
    """The case list's rendered filter form for one person, URL query and language (a
    change of language on the profile must not show the form in the old one)."""
    return make_template_fragment_key(FILTER_FORM_FRAGMENT, [user_id, query, language])


def api_throttle(scope: str, ident: object) -> str:
    """Requests counted for the API's throttles: per token (or signed-in person), per
    address. On a shared cache every process counts against the same allowance."""
    return f"casedesk:api-throttle:{scope}:{ident}"


def webhook_subscribers() -> str:
    """Active webhook endpoints and their event types, read on every timeline event; a
    change of endpoint clears it (see webhooks/emit.py)."""
    return "casedesk:webhooks:subscribers"


# The approvals badge: a number bumped whenever a request starts or stops waiting
# (cases/services/badges.py), and each person's count stored with the number it was
# counted at. One number for all teams, not one per team: requests and decisions are rare
# beside page views, an admin's count spans every team, and a bump costs each decider one
# COUNT on their next page.
APPROVALS_GENERATION = "casedesk:approvals:generation"


def approvals_badge(*, user_id: int, role: str, team_ids: Iterable[int]) -> str:
    """One person's approvals badge count (their role and teams are in the key, so a
    change of either counts afresh)."""
    teams = ",".join(str(team_id) for team_id in sorted(team_ids))
    return f"casedesk:approvals:badge:{user_id}:{role}:{teams}"


def surges(*, team_ids: Iterable[int]) -> str:
    """The complaint surges on a manager's or admin's home, for one selection of teams."""
    teams = ",".join(str(team_id) for team_id in sorted(team_ids))
    return f"casedesk:surges:{teams}"


def surges_generation(team_id: int) -> str:
    """A number bumped whenever a case is opened in the team (cases/services/badges.py):
    surges kept under an older number are counted afresh."""
    return f"casedesk:surges:generation:{team_id}"
