"""Django REST framework and drf-spectacular settings for the API (see api/ and README,
"API"): kept here so that casedesk/settings.py stays readable."""

from __future__ import annotations

from typing import Any


def rest_framework(*, proxies: int) -> dict[str, Any]:
    """`proxies`: how many trusted proxies add to X-Forwarded-For (0: use REMOTE_ADDR)."""
    return {
        # Token first: its "Bearer" challenge makes an anonymous call a 401, not a 403.
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "api.authentication.ApiTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_THROTTLE_CLASSES": [
            "api.throttling.AddressRateThrottle",
            "api.throttling.TokenRateThrottle",
        ],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "api.errors.exception_handler",
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
        # The address a throttle counts: REMOTE_ADDR, or behind CASEDESK_TRUSTED_PROXIES
        # proxies the X-Forwarded-For entry the outermost trusted one appended.
        "NUM_PROXIES": proxies,
        "PAGE_SIZE": 25,
    }


SPECTACULAR: dict[str, Any] = {
    "TITLE": "CaseDesk API",
    "DESCRIPTION": (
        "Cases, customers, interactions, exception requests, follow-up tasks, policies and "
        "insights, under the same rules as the pages. Authenticate with a personal API "
        "token (`Authorization: Bearer cdk_…`, made on your profile page) or a session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_links",
    ],
    # One name per choice set, where two models use the same field name for different sets.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "TaskStatusEnum": "cases.models.TaskStatus",
        "RequestStatusEnum": "cases.models.RequestStatus",
        "TaskKindEnum": "cases.models.TaskKind",
        "ExceptionKindEnum": "policies.models.ExceptionKind",
        "ChannelEnum": "cases.models.Channel",
    },
}
