"""The insights page and its CSV export."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import insights, permissions
from ..forms import InsightsForm
from ..http import AuthedRequest
from ..models import Outcome

# The tables the page shows and the CSV export offers: key → (title, columns).
INSIGHT_TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "exceptions_by_policy": (
        "Exceptions by policy",
        [
            ("policy", "Policy"),
            ("title", "Title"),
            ("requested", "Requested"),
            ("granted", "Granted"),
            ("denied", "Denied"),
            ("value", "Value granted"),
        ],
    ),
    "exceptions_by_exception": (
        "Exceptions by allowed exception",
        [
            ("exception_name", "Exception"),
            ("requested", "Requested"),
            ("granted", "Granted"),
            ("denied", "Denied"),
            ("value", "Value granted"),
        ],
    ),
    "exceptions_by_person": (
        "Exceptions granted by person",
        [("person", "Granted by"), ("granted", "Granted"), ("value", "Value granted")],
    ),
    "exception_share": ("How requests ended", [("status", "Status"), ("count", "Requests")]),
    "follow_through": (
        "Follow-through by person",
        [
            ("person", "Assignee"),
            ("on_time", "Done on time"),
            ("late", "Done late"),
            ("overdue", "Still overdue"),
            ("open", "Not yet due"),
        ],
    ),
    "satisfaction": (
        "Satisfaction by week",
        [
            ("week", "Week of"),
            ("asked", "Asked (planned that week)"),
            ("answered", "Ratings given that week"),
            ("response_rate", "Of those asked, answered %"),
            ("average", "Average rating given"),
        ],
    ),
    "low_ratings": (
        "Low ratings",
        [
            ("reference", "Case"),
            ("rating", "Rating"),
            ("comment", "Comment"),
            ("answered", "Answered on"),
        ],
    ),
    "complaints_weekly": (
        "Cases by category and week",
        [("week", "Week of"), ("category", "Category"), ("cases", "Cases")],
    ),
    "top_categories": ("Top complaint categories", [("category", "Category"), ("cases", "Cases")]),
    "cost_to_serve": (
        "Customers who cost the most",
        [
            ("customer", "Customer"),
            ("cases", "Cases"),
            ("minutes", "Minutes"),
            ("time_cost", "Time cost"),
            ("granted", "Exceptions granted"),
            ("total", "Total"),
        ],
    ),
    "demeanour_outcomes": (
        "Outcomes by demeanour",
        [("demeanour", "Demeanour"), *[(value, label) for value, label in Outcome.choices]],
    ),
    "policy_signals": (
        "Policies to review",
        [
            ("policy", "Policy"),
            ("title", "Title"),
            ("requested", "Exceptions requested"),
            ("denied", "Denied"),
        ],
    ),
}


def _insights_scope(request: AuthedRequest) -> tuple[Any, Any]:
    if not permissions.can_see_insights(request.user):
        raise PermissionDenied("Insights are for managers and admins.")
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
            "hourly_cost": f"{settings.CASEDESK_HOURLY_COST} {settings.CASEDESK_CURRENCY}",
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
            "series": {"Value granted": [float(r["value"]) for r in data.exceptions_by_policy]},
        },
        "exception_share": {
            "labels": [r["status"] for r in data.exception_share],
            "series": {"Requests": [r["count"] for r in data.exception_share]},
        },
        "follow_through": {
            "labels": [r["person"] for r in follow],
            "series": {
                "Done on time": [r["on_time"] for r in follow],
                "Done late": [r["late"] for r in follow],
                "Still overdue": [r["overdue"] for r in follow],
            },
        },
        "satisfaction": {
            "labels": [r["week"] for r in data.satisfaction],
            "series": {"Average rating": [r["average"] for r in data.satisfaction]},
        },
        "complaints_weekly": {
            "labels": weeks,
            "series": {c: [counts.get((w, c), 0) for w in weeks] for c in categories},
        },
        "demeanour_outcomes": {
            "labels": [r["demeanour"] for r in data.demeanour_outcomes],
            "series": {
                label: [r[value] for r in data.demeanour_outcomes]
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
        raise Http404("No such table.")
    form, period = _insights_scope(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "Choose a valid period and team on the insights page first.", status=400
        )
    title, columns = INSIGHT_TABLES[table]
    rows = getattr(insights.cached_insights(period), table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    first, last = form.dates()
    response["Content-Disposition"] = f'attachment; filename="{table}_{first}_{last}.csv"'
    writer = csv.writer(response)
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow([_safe_cell(row.get(key)) for key, _ in columns])
    return response
