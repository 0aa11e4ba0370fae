"""The demo data command gives a newcomer something real to click through."""

import pytest
from django.core.management import call_command

from cases.management.commands.seed_demo import DEMO_PASSWORD
from cases.models import Case, Role, Status, User

pytestmark = pytest.mark.django_db


def test_demo_data_has_every_role_and_status_and_prints_credentials(capsys, guidance):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for user in User.objects.all():
        assert user.username in out
        assert user.check_password(DEMO_PASSWORD)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.NEW, Status.OPEN, Status.RESOLVED} <= statuses


def test_running_it_again_with_if_empty_changes_nothing(capsys, guidance):
    call_command("seed_demo")
    before = Case.objects.count()
    call_command("seed_demo", "--if-empty")
    assert Case.objects.count() == before
    assert "already present" in capsys.readouterr().out
