"""The case list's filters and sort keys. Only what is declared here is read from the URL."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from policies.models import Category, Demeanour

from .forms.widgets import LocaleDateRangeWidget
from .limits import day_error
from .models import Case, Priority, Status, User, visible_teams

# Sort keys the URL may name (`?o=-priority`), mapped to model fields. Ties fall back to id.
SORT_FIELDS = {
    "created": "created_at",
    "updated": "updated_at",
    "activity": "last_activity_at",
    "priority": "priority_rank",
    "status": "status",
    "subject": "subject",
}


# What the sort menu says for each key, both ways: django-filter would make these from the
# keys and add "(descending)" once, at import, in whatever language was active then.
SORT_LABELS = {
    "created": (gettext_lazy("Created"), gettext_lazy("Created (descending)")),
    "updated": (gettext_lazy("Updated"), gettext_lazy("Updated (descending)")),
    "activity": (gettext_lazy("Activity"), gettext_lazy("Activity (descending)")),
    "priority": (gettext_lazy("Priority"), gettext_lazy("Priority (descending)")),
    "status": (gettext_lazy("Status"), gettext_lazy("Status (descending)")),
    "subject": (gettext_lazy("Subject"), gettext_lazy("Subject (descending)")),
}


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class BoundedDateRangeField(django_filters.fields.DateRangeField):
    """From–to days within the window every report and filter shares (cases/limits.py):
    year 1 or 9999 would overflow the time-zone arithmetic."""

    def compress(self, data_list: list[Any]) -> Any:
        for day in data_list or []:
            if day and (error := day_error(day)):
                raise forms.ValidationError(error, code="out_of_range")
        return super().compress(data_list)


class BoundedDateRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = BoundedDateRangeField


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Status.choices, empty_label=gettext_lazy("Any status"), label=gettext_lazy("Status")
    )
    team = django_filters.ModelChoiceFilter(
        queryset=None, empty_label=gettext_lazy("All my teams"), label=gettext_lazy("Team")
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=None, empty_label=gettext_lazy("Anyone"), label=gettext_lazy("Assignee")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("Any category"),
        label=gettext_lazy("Category"),
    )
    demeanour = django_filters.ChoiceFilter(
        choices=Demeanour.choices,
        empty_label=gettext_lazy("Any demeanour"),
        label=gettext_lazy("Demeanour"),
    )
    # From a customer's profile ("all their cases"): an id, never a list of every customer.
    customer = IdFilter(
        field_name="customer_id", widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1
    )
    priority = django_filters.ChoiceFilter(
        choices=Priority.choices,
        empty_label=gettext_lazy("Any priority"),
        label=gettext_lazy("Priority"),
    )
    created = BoundedDateRangeFilter(
        field_name="created_at",
        label=gettext_lazy("Created"),
        widget=LocaleDateRangeWidget(),
    )
    updated = BoundedDateRangeFilter(
        field_name="updated_at",
        label=gettext_lazy("Updated"),
        widget=LocaleDateRangeWidget(),
    )
    o = django_filters.OrderingFilter(
        fields={field: key for key, field in SORT_FIELDS.items()},
        field_labels={
            **{SORT_FIELDS[key]: up for key, (up, _down) in SORT_LABELS.items()},
            **{f"-{key}": down for key, (_up, down) in SORT_LABELS.items()},
        },
        label=gettext_lazy("Sort by"),
        empty_label=gettext_lazy("Newest first"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = visible_teams(user)
        self.filters["team"].queryset = teams
        # Only what the option label needs: an admin's list has every active user.
        self.filters["assignee"].queryset = (
            User.objects.filter(teams__in=teams, is_active=True)
            .only("id", "username", "first_name", "last_name")
            .distinct()
            .order_by("first_name")
        )

    @property
    def form(self) -> forms.Form:
        """The filter form, styled. Built only when used: an unfiltered case list never
        validates it, and its rendering is cached (case_list.html), so the list's most
        common view skips building it (form class, fields and widgets, deep-copied: an
        eighth of the view's CPU at 1M cases, bench/results/profile-case-list-*)."""
        if not hasattr(self, "_form"):
            form = super().form
            for field in form.fields.values():
                widgets = getattr(field.widget, "widgets", [field.widget])
                for widget in widgets:
                    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                    widget.attrs["class"] = f"{css} {css}-sm"
        return self._form

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        queryset = super().filter_queryset(queryset)
        ordering = list(queryset.query.order_by)
        if ordering:
            # A stable order for pagination: equal values fall back to the id.
            tiebreak = "-id" if str(ordering[-1]).startswith("-") else "id"
            queryset = queryset.order_by(*ordering, tiebreak)
        return queryset


class _CopiedCheaply(dict[str, django_filters.Filter]):
    """A FilterSet's declared filters, copied for each instance without `deepcopy`.

    django-filter deep-copies every declared filter for each FilterSet it makes, down to
    the labels, choices and widgets they hold: a twentieth of the case list's work in the
    web process under load. A shallow copy of each filter does, with its own `extra`
    (django-filter writes a request's queryset and choices there when it builds a field,
    and `__init__` above sets the team and assignee querysets on the copy). Widgets need
    no copy: every form field deep-copies the widget it is given."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, django_filters.Filter]:
        copies = {}
        for name, declared in self.items():
            filter_ = copy.copy(declared)
            filter_.extra = dict(declared.extra)
            copies[name] = filter_
        return copies


CaseFilter.base_filters = _CopiedCheaply(CaseFilter.base_filters)
