"""Case studies that match a case, for coaching."""

from __future__ import annotations

from typing import Any

from ..models import Case, CaseStudy, User


def matching_studies(user: User, case: Case, *, limit: int = 5) -> list[Any]:
    """Worked examples for a case like this one: same category and demeanour."""
    return list(
        CaseStudy.objects.visible_to(user)
        .filter(category_id=case.category_id, demeanour=case.demeanour)
        .exclude(case=case)
        .select_related("case")
        .order_by("-created_at")[:limit]
    )
