"""The insights page and its CSV export."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_safe

from .. import insights, permissions
from ..forms import InsightsForm
from ..http import AuthedRequest
from ..models import Outcome
from ..money import format_money

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The tables the page shows and the CSV export offers: key → (title, columns).
INSIGHT_TABLES: dict[str, tuple[StrOrPromise, list[tuple[str, StrOrPromise]]]] = {
    "exceptions_by_policy": (
        gettext_lazy("Exceptions by policy"),
        [
            ("policy", gettext_lazy("Policy")),
            ("title", gettext_lazy("Title")),
            ("requested", gettext_lazy("Requested")),
            ("granted", gettext_lazy("Granted")),
            ("denied", gettext_lazy("Denied")),
            ("value", gettext_lazy("Value granted")),
        ],
    ),
    "exceptions_by_exception": (
        gettext_lazy("Exceptions by allowed exception"),
        [
            ("exception_name", gettext_lazy("Exception")),
            ("requested", gettext_lazy("Requested")),
            ("granted", gettext_lazy("Granted")),
            ("denied", gettext_lazy("Denied")),
            ("value", gettext_lazy("Value granted")),
        ],
    ),
    "exceptions_by_person": (
        gettext_lazy("Exceptions granted by person"),
        [
            ("person", gettext_lazy("Granted by")),
            ("granted", gettext_lazy("Granted")),
            ("value", gettext_lazy("Value granted")),
        ],
    ),
    "exception_share": (
        gettext_lazy("How requests ended"),
        [("status", gettext_lazy("Status")), ("count", gettext_lazy("Requests"))],
    ),
    "follow_through": (
        gettext_lazy("Follow-through by person"),
        [
            ("person", gettext_lazy("Assignee")),
            ("on_time", gettext_lazy("Done on time")),
            ("late", gettext_lazy("Done late")),
            ("overdue", gettext_lazy("Still overdue")),
            ("open", gettext_lazy("Not yet due")),
        ],
    ),
    "satisfaction": (
        gettext_lazy("Satisfaction by week"),
        [
            ("week", gettext_lazy("Week of")),
            ("asked", gettext_lazy("Asked (planned that week)")),
            ("answered", gettext_lazy("Ratings given that week")),
            ("response_rate", gettext_lazy("Of those asked, answered %")),
            ("average", gettext_lazy("Average rating given")),
        ],
    ),
    "low_ratings": (
        gettext_lazy("Low ratings"),
        [
            ("reference", gettext_lazy("Case")),
            ("rating", gettext_lazy("Rating")),
            ("comment", gettext_lazy("Comment")),
            ("answered", gettext_lazy("Answered on")),
        ],
    ),
    "complaints_weekly": (
        gettext_lazy("Cases by category and week"),
        [
            ("week", gettext_lazy("Week of")),
            ("category", gettext_lazy("Category")),
            ("cases", gettext_lazy("Cases")),
        ],
    ),
    "top_categories": (
        gettext_lazy("Top complaint categories"),
        [("category", gettext_lazy("Category")), ("cases", gettext_lazy("Cases"))],
    ),
    "cost_to_serve": (
        gettext_lazy("Customers who cost the most"),
        [
            ("customer", gettext_lazy("Customer")),
            ("cases", gettext_lazy("Cases")),
            ("minutes", gettext_lazy("Minutes")),
            ("time_cost", gettext_lazy("Time cost")),
            ("granted", gettext_lazy("Exceptions granted")),
            ("total", gettext_lazy("Total")),
        ],
    ),
    "demeanour_outcomes": (
        gettext_lazy("Outcomes by demeanour"),
        [
            ("demeanour", gettext_lazy("Demeanour")),
            *[(value, label) for value, label in Outcome.choices],
        ],
    ),
    "policy_signals": (
        gettext_lazy("Policies to review"),
        [
            ("policy", gettext_lazy("Policy")),
            ("title", gettext_lazy("Title")),
            ("requested", gettext_lazy("Exceptions requested")),
            ("denied", gettext_lazy("Denied")),
        ],
    ),
}


def _insights_scope(request: AuthedRequest) -> tuple[Any, Any]:
    if not permissions.can_see_insights(request.user):
        raise PermissionDenied(gettext("Insights are for managers and admins."))
    teams = list(insights.teams_for(request.user))
    form = InsightsForm(request.GET or None, teams=teams)
    first, last = form.dates()
    period = insights.Period.from_dates(first, last, form.team_ids())
    return form, period


@login_required
@require_safe
def insights_page(request: AuthedRequest) -> HttpResponse:
    form, period = _insights_scope(request)
    data = insights.cached_insights(period)
    first, last = form.dates()
    tables = [
        {"key": key, "title": title, "columns": columns, "rows": getattr(data, key)}
        for key, (title, columns) in INSIGHT_TABLES.items()
    ]
    return render(
        request,
        "cases/insights.html",
        {
            "form": form,
            "data": data,
            "tables": {t["key"]: t for t in tables},
            "query_string": request.GET.urlencode(),
            "charts": _chart_data(data),
            "first_day": first,
            "last_day": last,
            "hourly_cost": format_money(settings.CASEDESK_HOURLY_COST),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _chart_data(data: Any) -> dict[str, Any]:
    """Just what the charts draw; the numbers are the tables' own (json_script, no inline JS)."""
    weeks = sorted({row["week"] for row in data.complaints_weekly})
    categories = sorted({row["category"] for row in data.complaints_weekly})
    counts = {(r["week"], r["category"]): r["cases"] for r in data.complaints_weekly}
    # Only people with something to draw: tasks not yet due are in the table, not the chart
    # (a chart of zeros would look like data; an empty one says "Nothing to chart").
    follow = [r for r in data.follow_through if r["on_time"] or r["late"] or r["overdue"]]
    return {
        "exceptions_by_policy": {
            "labels": [r["policy"] for r in data.exceptions_by_policy],
            "series": {
                gettext("Value granted"): [float(r["value"]) for r in data.exceptions_by_policy]
            },
        },
        "exception_share": {
            "labels": [r["status"] for r in data.exception_share],
            "series": {gettext("Requests"): [r["count"] for r in data.exception_share]},
        },
        "follow_through": {
            "labels": [r["person"] for r in follow],
            "series": {
                gettext("Done on time"): [r["on_time"] for r in follow],
                gettext("Done late"): [r["late"] for r in follow],
                gettext("Still overdue"): [r["overdue"] for r in follow],
            },
        },
        "satisfaction": {
            "labels": [r["week"] for r in data.satisfaction],
            "series": {gettext("Average rating"): [r["average"] for r in data.satisfaction]},
        },
        "complaints_weekly": {
            "labels": weeks,
            "series": {c: [counts.get((w, c), 0) for w in weeks] for c in categories},
        },
        "demeanour_outcomes": {
            "labels": [r["demeanour"] for r in data.demeanour_outcomes],
            "series": {
                str(label): [r[value] for r in data.demeanour_outcomes]
                for value, label in Outcome.choices
            },
        },
    }


def _safe_cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


@login_required
@require_safe
def insights_export(request: AuthedRequest, table: str) -> HttpResponse:
    if table not in INSIGHT_TABLES:
        raise Http404(gettext("No such table."))
    form, period = _insights_scope(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            gettext("Choose a valid period and team on the insights page first."), status=400
        )
    title, columns = INSIGHT_TABLES[table]
    rows = getattr(insights.cached_insights(period), table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    first, last = form.dates()
    response["Content-Disposition"] = f'attachment; filename="{table}_{first}_{last}.csv"'
    writer = csv.writer(response)
    writer.writerow([str(label) for _, label in columns])
    for row in rows:
        writer.writerow([_safe_cell(row.get(key)) for key, _ in columns])
    return response
