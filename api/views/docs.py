"""The OpenAPI schema and its two readers, served from local files inside the CSP.

drf-spectacular's own templates carry an inline <style> and an inline init script; ours
link a stylesheet and load the init script from the same view (the "split" view), so the
strict policy holds. ReDoc injects its styles at run time, so its page alone allows
inline styles (never inline scripts).
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    # The schema describes the API, not anyone's data: readable without signing in.
    permission_classes = [AllowAny]


class SwaggerView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"


@method_decorator(
    csp_update({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}), name="dispatch"
)
class RedocView(SpectacularRedocView):
    permission_classes = [AllowAny]
    template_name = "api/redoc.html"


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("docs/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
