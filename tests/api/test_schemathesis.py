"""Schemathesis against the live schema: a real server (live_server) on PostgreSQL, signed
in with a personal API token. Every operation gets generated requests (valid and not);
none may answer 5xx or anything its schema does not declare. Then a stateful run follows
the schema's links (open a case → log an interaction → request an exception → decide…).

Examples are bounded so that the whole file runs in about two minutes on the shared CI
machine; raise CASEDESK_SCHEMATHESIS_EXAMPLES locally for a deeper run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.stateful import run_state_machine_as_test

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("CASEDESK_SCHEMATHESIS_EXAMPLES", "12"))
STEPS = int(os.environ.get("CASEDESK_SCHEMATHESIS_STEPS", "8"))
HYPOTHESIS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "derandomize": True,  # the same requests on every run: a failure is reproducible
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.explicit, Phase.generate],
}


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


@pytest.fixture
def live_api(live_server, settings, manager, staff, case, allowed, token_for):
    """A manager's token on a team with a case, a customer and a policy to act on; the
    throttles opened wide (this is a flood of requests from one address by design)."""
    import schemathesis

    settings.CASEDESK_API_RATE_TOKEN = "100000/min"
    settings.CASEDESK_API_RATE_ADDRESS = "100000/min"
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    headers = {"Authorization": f"Bearer {token_for(manager)}"}
    return schema, headers, live_server.url


def test_no_operation_answers_5xx_or_off_schema(live_api):
    schema, headers, base_url = live_api
    checks = _checks()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, **HYPOTHESIS)
        def run(case: Any) -> None:
            case.call_and_validate(base_url=base_url, headers=headers, checks=checks)

        run()


def test_stateful_links_hold(live_api):
    schema, headers, base_url = live_api
    machine = schema.as_state_machine()
    checks = _checks()

    class Till(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base_url, "headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=checks)

    run_state_machine_as_test(
        Till, settings=settings(max_examples=EXAMPLES, stateful_step_count=STEPS, **HYPOTHESIS)
    )
