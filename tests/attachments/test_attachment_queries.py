"""The case page and the approvals queue keep their query count with 50 files."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attachments import services
from cases import services as case_services
from tests.attachment_fixtures import image_bytes, upload
from tests.exception_fixtures import ask

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG", (16, 16))


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _interaction_with_files(case, staff, n: int) -> None:
    interaction = case_services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="s", demeanour="calm"
    )
    files = [upload(f"p{i}.png", PNG) for i in range(n)]
    services.add_attachments(by=staff, case=case, interaction=interaction, files=files)


def test_case_page_query_count_is_the_same_with_50_attachments(
    signed_in, staff, manager, case, guidance, allowed, attachment_store
):
    client = signed_in(staff)
    url = case.get_absolute_url()
    _interaction_with_files(case, staff, 1)
    request = ask(case, staff, allowed, value="80.00")
    services.add_attachments(by=staff, case=case, request=request, files=[upload("e.png", PNG)])
    client.get(url)  # warm the guidance cache
    one_each = _count(client, url)
    queue = signed_in(manager)
    approvals = reverse("approvals")
    queue.get(approvals)  # the manager's first page fills the session and badge caches
    queue_one = _count(queue, approvals)
    for _ in range(4):
        _interaction_with_files(case, staff, 10)
    services.add_attachments(
        by=staff, case=case, request=request, files=[upload(f"e{i}.png", PNG) for i in range(8)]
    )
    client = signed_in(staff)
    page = client.get(url).content.decode()
    assert page.count('class="attachment-card') == 50
    assert _count(client, url) == one_each
    client = signed_in(manager)
    assert client.get(approvals).content.decode().count('class="attachment-card') == 9
    assert _count(client, approvals) == queue_one
