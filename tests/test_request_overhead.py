"""What every signed-in page pays before its own work, kept small and kept safe.

With the shared Redis cache, the session is read from the cache (no query for it), and a
sign-out in one place ends the session everywhere: another browser (or another web
process) holding the same cookie finds the sign-in page.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture(autouse=True)
def _shared_cache():
    if not settings.SESSION_ENGINE.endswith("cached_db"):
        pytest.skip("sessions are cached only with the shared Redis cache (TEST_REDIS_URL)")


def test_a_signed_in_page_reads_the_session_from_the_cache_not_the_database(client, staff):
    client.force_login(staff)
    assert client.get(reverse("my_tasks")).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("my_tasks")).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_a_session_signed_out_in_one_place_is_refused_everywhere(client, staff):
    client.force_login(staff)
    assert client.get(reverse("my_tasks")).status_code == 200
    elsewhere = Client()
    elsewhere.cookies = client.cookies.__class__(client.cookies)
    assert elsewhere.get(reverse("my_tasks")).status_code == 200, "the same session elsewhere"

    client.post(reverse("logout"))

    response = elsewhere.get(reverse("my_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
