import pytest

from tests.privacy.world import OTHER, build_world, world  # noqa: F401 (a fixture)


@pytest.fixture
def bystander(team, staff, manager, admin_user, category, allowed, what_happens_next):
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


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    """Export files in a folder of the test's own."""
    settings.CASEDESK_EXPORT_DIR = tmp_path / "exports"
    return settings.CASEDESK_EXPORT_DIR
