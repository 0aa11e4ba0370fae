"""A small policy library for exception tests: limits staff 25, manager 100, maximum 200."""

from datetime import date
from decimal import Decimal

import pytest

from cases import services
from policies import services as policy_services


def ask(case, by, allowed, value="80.00", **extra):
    """An exception request through the service, with what the customer asked and why."""
    return services.request_exception(
        case,
        by=by,
        allowed=allowed,
        value=Decimal(value),
        customer_ask="Refund of the diagnostic fee",
        justification="The part is discontinued",
        **extra,
    )


@pytest.fixture
def policy(admin_user):
    return policy_services.create_policy(
        by=admin_user,
        code="DIAG-FEE",
        title="Diagnostic fee is non-refundable",
        category="fees",
        customer_wording="The diagnostic fee pays for the technician's time.",
        effective_from=date(2025, 1, 1),
        exceptions=[
            {
                "name": "Refund the fee as store credit",
                "kind": "store_credit",
                "max_value": Decimal("200.00"),
                "staff_limit": Decimal("25.00"),
                "manager_limit": Decimal("100.00"),
            }
        ],
    )


@pytest.fixture
def allowed(policy):
    return policy.allowed_exceptions.get()
