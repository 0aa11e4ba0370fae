import pytest

from tests.privacy.world import DANA, OTHER, build_world


@pytest.fixture
def world(team, staff, manager, admin_user, category, allowed, what_happens_next):  # type: ignore[no-untyped-def]
    """The customer to export or erase, with every kind of data."""
    return build_world(
        DANA,
        team=team,
        staff=staff,
        manager=manager,
        admin=admin_user,
        category=category,
        allowed=allowed,
    )


@pytest.fixture
def bystander(team, staff, manager, admin_user, category, allowed, what_happens_next):  # type: ignore[no-untyped-def]
    """Another customer of the same team, with every kind of data too."""
    return build_world(
        OTHER,
        team=team,
        staff=staff,
        manager=manager,
        admin=admin_user,
        category=category,
        allowed=allowed,
    )
