"""Tells drf-spectacular how the personal API token authenticates (a Bearer scheme)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`cdk_…`) made on your profile page.",
        }


# What a client can do next with what a write returned: OpenAPI links, which Schemathesis
# follows in its stateful tests (open a case → log an interaction on it → resolve it…).
CASE_NEXT = [
    "v1_cases_retrieve",
    "v1_cases_interactions_list",
    "v1_cases_interactions_create",
    "v1_cases_exception_requests_create",
    "v1_cases_tasks_create",
    "v1_cases_triage_create",
    "v1_cases_assign_create",
    "v1_cases_resolve_create",
]
LINKS: dict[tuple[str, str], tuple[list[str], str, str]] = {
    # (operation, status): (next operations, their parameter, where its value comes from)
    ("v1_cases_create", "201"): (CASE_NEXT, "reference", "$response.body#/reference"),
    ("v1_cases_resolve_create", "200"): (
        ["v1_cases_reopen_create", "v1_cases_retrieve"],
        "reference",
        "$response.body#/reference",
    ),
    ("v1_customers_create", "201"): (
        ["v1_customers_retrieve", "v1_customers_partial_update"],
        "id",
        "$response.body#/id",
    ),
    ("v1_cases_exception_requests_create", "201"): (
        [
            "v1_exception_requests_retrieve",
            "v1_exception_requests_decide_create",
            "v1_exception_requests_withdraw_create",
        ],
        "id",
        "$response.body#/id",
    ),
    ("v1_cases_tasks_create", "201"): (
        [
            "v1_tasks_retrieve",
            "v1_tasks_complete_create",
            "v1_tasks_cancel_create",
            "v1_tasks_reschedule_create",
        ],
        "id",
        "$response.body#/id",
    ),
    ("v1_policies_create", "201"): (
        ["v1_policies_retrieve", "v1_policies_partial_update", "v1_policies_exceptions_create"],
        "code",
        "$response.body#/code",
    ),
}


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: declare LINKS on the responses they start from."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for (operation_id, status), (targets, parameter, source) in LINKS.items():
                if operation.get("operationId") != operation_id:
                    continue
                response = operation["responses"][status]
                response["links"] = {
                    target: {"operationId": target, "parameters": {parameter: source}}
                    for target in targets
                }
    return result
