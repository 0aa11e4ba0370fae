"""A warm web process freezes what it holds once, so that its full garbage collections
skip it (casedesk/gc_freeze.py; the pauses it removes: bench/results/gc-pauses-*)."""

import gc
import subprocess
import sys

import pytest
from django.core.signals import request_finished

from casedesk import gc_freeze


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    request_finished.disconnect(dispatch_uid=gc_freeze.__name__)
    gc.unfreeze()


@pytest.mark.django_db
def test_the_process_freezes_once_after_its_warm_up_requests(client, unfrozen):
    gc_freeze.freeze_once_warm(requests=3)
    for _ in range(2):
        client.get("/accounts/login/")
    assert gc.get_freeze_count() == 0  # still warming up
    client.get("/accounts/login/")
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules, URL patterns and templates it loaded
    gc.unfreeze()
    for _ in range(5):
        client.get("/accounts/login/")
    assert gc.get_freeze_count() == 0  # once only: the counter is gone


def test_the_wsgi_application_installs_it_and_nothing_else_does():
    """gunicorn's entry point freezes once warm; the test run, the worker and manage.py
    (which never import casedesk.wsgi) keep the collector as it is."""
    check = (
        "import casedesk.wsgi; from django.core.signals import request_finished; "
        "print(any(r[0][0] == 'casedesk.gc_freeze' for r in request_finished.receivers))"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"
    assert not any(r[0][0] == gc_freeze.__name__ for r in request_finished.receivers)
