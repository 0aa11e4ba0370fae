"""A customer profile's ledger and interactions, written in Python
(cases/templatetags/profile_tags.py), read as the template they replaced wrote them:
every status of request, with and without a policy version or a decider, values that
need localising, text that needs escaping, empty lists, in every language and in time
zones with odd offsets. `profile_reference.html` is that template, kept as the
reference; change both together when the profile's markup should change."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.utils import timezone, translation

from cases.models import Case, ExceptionRequest, Interaction, User
from policies.models import Policy, PolicyVersion

REFERENCE = (Path(__file__).resolve().parent / "profile_reference.html").read_text()
CURRENT = (
    "{% load profile_tags %}<table><tbody>\n{% exception_ledger profile.ledger %}\n"
    "</tbody></table>\n<ul>\n{% profile_interactions profile.interactions %}\n</ul>\n"
)
T0 = datetime(2026, 3, 29, 0, 30, 12, tzinfo=UTC)


def norm(html: str) -> str:
    """Whitespace between tags and runs of it are not what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html.strip()))


def requests(staff: User, manager: User) -> list[ExceptionRequest]:
    case = Case(pk=1)
    other = Case(pk=2)
    version = PolicyVersion(pk=1, number=3, policy=Policy(pk=1, code="DIAG-FEE"))
    common = {"requested_by": staff, "exception_name": "Refund <fee> & more"}
    return [
        ExceptionRequest(pk=1, case=case, status="granted", value=Decimal("1234.5"),
                         granted_value=Decimal("1234.5"), requested_at=T0,
                         policy_version=version, **common),
        ExceptionRequest(pk=2, case=other, status="pending", value=Decimal("80"),
                         requested_at=T0 + timedelta(hours=7), **common),
        ExceptionRequest(pk=3, case=case, status="approved", value=Decimal("90.00"),
                         granted_value=Decimal("90.00"), decided_by=manager,
                         requested_at=T0 + timedelta(days=3, minutes=5), **common),
        ExceptionRequest(pk=4, case=case, status="countered", value=Decimal("100"),
                         granted_value=Decimal("0.00"), decided_by=manager,
                         requested_at=T0 + timedelta(days=40), **common),
        ExceptionRequest(pk=5, case=case, status="denied", value=Decimal("5"),
                         decided_by=manager, requested_at=T0 - timedelta(days=400), **common),
    ]  # fmt: skip


def interactions(staff: User) -> list[Interaction]:
    case = Case(pk=1)
    return [
        Interaction(pk=1, case=case, author=staff, occurred_at=T0, channel="phone",
                    direction="inbound", summary="Line <one>\n& two", demeanour="calm",
                    minutes=1),
        Interaction(pk=2, case=case, author=staff, occurred_at=T0 + timedelta(hours=30),
                    channel="email", direction="outbound", summary="ok", demeanour="angry",
                    minutes=1500),
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("empty", [False, True], ids=["rows", "empty"])
@pytest.mark.parametrize("tz", ["Europe/London", "Asia/Kolkata", "America/St_Johns"])
@pytest.mark.parametrize("lang", [code for code, _ in settings.LANGUAGES])
def test_the_ledger_and_interactions_read_as_the_template_wrote_them(
    staff, manager, lang, tz, empty
):
    profile: dict[str, list] = {
        "ledger": [] if empty else requests(staff, manager),
        "interactions": [] if empty else interactions(staff),
    }
    engine = engines["django"]
    with translation.override(lang), timezone.override(tz):
        old = norm(engine.from_string(REFERENCE).render({"profile": profile}))
        new = norm(engine.from_string(CURRENT).render({"profile": profile}))
    # Compared row by row, so that a failure names the row that differs.
    assert re.split(r"(?=<tr|<li)", new) == re.split(r"(?=<tr|<li)", old)
    assert new.count("<tr>") == max(len(profile["ledger"]), 1)
