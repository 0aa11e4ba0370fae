import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
application = get_wsgi_application()

# Web processes only: a warm worker's full garbage collections skip its long-lived objects.
from casedesk.gc_freeze import freeze_once_warm  # noqa: E402

freeze_once_warm()
