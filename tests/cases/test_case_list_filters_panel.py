"""The case list's filters: a panel a phone folds away, whose button says how many filters
are in use; every field of it has a label (the date ranges included)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _button(html: str) -> str:
    return re.search(r'<button[^>]*data-bs-target="#case-filters".*?</button>', html, re.S).group(0)


def test_the_filters_button_counts_the_filters_in_use(signed_in, staff, case):
    client = signed_in(staff)
    url = reverse("case_list")
    assert "active" not in _button(client.get(url).content.decode())
    html = client.get(
        url, {"status": "open", "priority": "high", "created_after": "2026-01-01", "o": "-id"}
    ).content.decode()
    # Status, priority and the created range; the sort order is not a filter.
    assert "3 active" in _button(html)
    assert 'id="case-filters"' in html and "collapse filters-panel" in html


def test_each_date_of_the_ranges_has_its_own_label(signed_in, staff):
    html = signed_in(staff).get(reverse("case_list")).content.decode()
    for field in ("created", "updated"):
        for end in ("0", "1"):
            assert re.search(rf'<label[^>]*for="id_{field}_{end}"', html), (field, end)
            assert f'id="id_{field}_{end}"' in html


def test_a_filter_with_an_error_keeps_the_panel_open(signed_in, staff):
    html = signed_in(staff).get(reverse("case_list"), {"created_after": "2026-13-45"})
    html = html.content.decode()
    assert "collapse filters-panel show" in html
    assert 'aria-expanded="true"' in _button(html)
