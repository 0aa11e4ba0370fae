"""Escaping for markup written in Python (the case table, the timeline, the profile's and
approvals' rows, crispy's fields)."""

from __future__ import annotations

import html
from typing import Any


def esc(value: Any) -> str:
    """What format_html does to each argument (conditional_escape), without the lazy-text
    wrapper around Django's escape: a row escapes about twenty values, and on a manager's
    home (60 rows) the wrappers were a tenth of the page's time
    (bench/results/profile-home-manager-*)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))
