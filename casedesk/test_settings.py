"""Settings for the test run: the same settings, minus what only a real deployment wants."""

import os
import tempfile
from typing import Any

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789abcdef")
os.environ.setdefault("HTTPS", "0")

from .env import cache_settings, session_engine
from .settings import *  # noqa: F403

# Fast hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Never the developer's var/: a folder of this run (tests/attachment_fixtures.py gives a
# test that looks at the files a fresh one of its own).
_ATTACHMENTS_STORAGE: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="casedesk-attachments-")},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": _ATTACHMENTS_STORAGE,
}
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the app folders (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True


# Every task the tests queue goes to the test Redis database (never the filesystem broker):
# a Celery app that has sent once keeps its connection, so the broker must be right from
# the start for the real-worker tests to receive what the code under test queues. Chosen
# from the environment only (no probing at import): TEST_REDIS_URL (CI and `dev.py test`
# set it when Redis answers), else kombu's in-memory transport, so a machine with nothing
# but Python still runs the suite (the tests that need a real worker skip, saying why).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
CELERY_BROKER_URL = TEST_REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1}

# Tests change data between two views of the insights page and expect new figures.
CASEDESK_INSIGHTS_CACHE_SECONDS = 0
CASEDESK_FILTER_FORM_CACHE_SECONDS = 0

# The replica alias in tests is a mirror of the primary (so ordinary tests, whose rows are
# uncommitted, never read it: casedesk/db_router.py treats a mirror as no replica).
# tests/test_read_replica.py points it at the real streaming replica that .ci/run starts.
DATABASES.pop("replica", None)  # noqa: F405
if os.environ.get("TEST_REPLICA_URL"):
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405

# With TEST_REDIS_URL the cache is Redis too, as in production, so tests see what several
# processes sharing one cache see. A key prefix per run keeps runs (and other databases'
# users) apart; it is put in the environment so the processes a test starts share it.
os.environ.setdefault("CASEDESK_TEST_CACHE_PREFIX", f"casedesk-test-{os.getpid()}")
CACHES = cache_settings(
    TEST_REDIS_URL or "locmem:", key_prefix=os.environ["CASEDESK_TEST_CACHE_PREFIX"]
)

# The webhook tests post to receivers they start on 127.0.0.1.
CASEDESK_WEBHOOK_ALLOW_PRIVATE = True
SESSION_ENGINE = session_engine(CACHES)
