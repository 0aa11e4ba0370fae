"""The timeline's events, written in Python (cases/templatetags/timeline_tags.py), read as
the template they replaced wrote them: every kind and variant, in every language and in
time zones with odd offsets, with text that needs escaping and an interaction with files
(kept and removed). `timeline_reference.html` is that template, kept as the reference;
change both together when the timeline's markup should change."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.utils import timezone, translation

from attachments.models import Attachment
from cases.models import CaseEvent, ExceptionRequest, Interaction
from cases.selectors import Timeline

HERE = Path(__file__).resolve().parent
REFERENCE = (HERE / "timeline_reference.html").read_text()
CURRENT = (settings.BASE_DIR / "templates/cases/_timeline_items.html").read_text()

pytestmark = pytest.mark.django_db


def norm(html: str) -> str:
    """Whitespace between tags and runs of it are not what a reader sees."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"\s+", " ", html)


def events(staff, case) -> list[CaseEvent]:
    """One event of every kind and variant, with awkward text, in memory."""
    t0 = datetime(2026, 3, 29, 0, 30, 12, tzinfo=UTC)
    out = []
    n = [0]

    def ev(kind, **kw):
        n[0] += 1
        e = CaseEvent(
            pk=n[0],
            case=case,
            kind=kind,
            created_at=t0 + timedelta(minutes=37 * n[0]),
            actor=kw.pop("actor", staff),
            **kw,
        )
        out.append(e)
        return e

    def inter(pk, files=(), **kw):
        base = {
            "channel": "phone",
            "direction": "inbound",
            "summary": "Line one <b>&\nline two",
            "demeanour": "calm",
            "minutes": 1,
            "occurred_at": t0,
        }
        base.update(kw)
        i = Interaction(pk=pk, case=case, author=staff, **base)
        # As the timeline's prefetch leaves them, and as the reference template reads them.
        i.attached_files = list(files)
        i._prefetched_objects_cache = {"attachments": list(files)}
        return i

    a1 = Attachment(
        pk=7,
        case=case,
        uploaded_by=staff,
        name="photo<1>.jpg",
        content_type="image/jpeg",
        size=12345,
        width=10,
        height=20,
        storage_key="k",
        thumbnail_key="t",
    )
    a2 = Attachment(
        pk=8,
        case=case,
        uploaded_by=staff,
        name="gone.pdf",
        content_type="application/pdf",
        size=5,
        deleted_at=t0,
        deleted_by=staff,
        deleted_reason="wrong & bad",
    )
    a3 = Attachment(
        pk=9,
        case=case,
        uploaded_by=staff,
        name="doc.txt",
        content_type="text/plain",
        size=1500000,
        storage_key="k2",
    )
    ev("interaction", interaction=inter(1))
    ev(
        "interaction",
        interaction=inter(
            2,
            minutes=2,
            promise="Call back <soon>",
            promise_due_at=t0 + timedelta(days=2),
            occurred_at=t0 + timedelta(minutes=74, seconds=50),
            files=[a1, a2, a3],
        ),
    )
    ev(
        "interaction",
        interaction=inter(
            3,
            minutes=5,
            channel="email",
            direction="outbound",
            demeanour="angry",
            occurred_at=t0 + timedelta(minutes=111, seconds=1),
        ),
    )
    ev(
        "interaction",
        interaction=inter(4, minutes=22, occurred_at=t0 + timedelta(hours=5)),
        actor=None,
    )
    ev("opened", to_value="Broken <kettle> & co")
    ev("status", from_value="open", to_value="pending_approval")
    ev("status", from_value="weird", to_value="resolved")
    ev("assignee", from_value="", to_value="Ann <A>")
    ev("assignee", from_value="Bob", to_value="")
    ev("priority", from_value="normal", to_value="urgent")
    ev("demeanour", from_value="calm", to_value="angry")
    ev("resolved", to_value="refunded", note="Done\nand <dusted>")
    ev("resolved", to_value="resolved", note="")
    ev("reopened", note="Again\n&")
    ev("closed", note="shut\nnow")
    ev("closed", note="")
    ev("policy", to_value="Returns <v2>")
    ev("exc_requested", to_value="1234.5", note="Please & thanks")
    ev("exc_granted", to_value="20", note="ok")
    ev("exc_decided", from_value="100", to_value="approved", note="fine")
    ev(
        "exc_decided",
        from_value="100",
        to_value="countered",
        note="half",
        exception_request=ExceptionRequest(pk=3, granted_value=Decimal("50.00")),
    )
    ev("exc_decided", from_value="100", to_value="denied", note="no")
    ev("exc_withdrawn", note="changed mind")
    ev("exc_withdrawn", note="")
    ev("task_added", note="Ring <her>", to_value="Tue 3 Mar 10:00")
    ev("task_changed", note="Ring", to_value="Wed")
    ev("task_done", note="rang")
    ev("task_cancelled", note="no need")
    ev("customer_emailed", to_value="a@b.c", note="Dear x,\n" + "long & " * 80)
    ev("file_removed", to_value="x.pdf", note="privacy")
    ev("feedback", to_value="4", note='Good "stuff"')
    ev("feedback", to_value="2", note="")
    return out


@pytest.mark.parametrize("tz", ["Europe/London", "Asia/Kolkata", "America/St_Johns"])
@pytest.mark.parametrize("lang", [code for code, _ in settings.LANGUAGES])
def test_every_kind_of_event_reads_as_the_template_wrote_it(staff, case, lang, tz):
    evs = events(staff, case)
    engine = engines["django"]
    ctx = {
        "timeline": Timeline(events=evs, ratings=[], older_than=5),
        "case": case,
        "user": staff,
        "csrf_token": "tok",
    }
    with translation.override(lang), timezone.override(tz):
        old = engine.from_string(REFERENCE).render(ctx)
        new = engine.from_string(CURRENT).render(ctx)
    old, new = norm(old), norm(new)
    # Compared event by event, so that a failure names the event that differs.
    assert re.split(r"(?=<li)", new) == re.split(r"(?=<li)", old)
    assert new.count('class="list-group-item event-') == len(evs)
