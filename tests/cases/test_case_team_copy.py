"""The case's team, copied onto the rows that hang off a case (models/case_team.py): every
way of writing those rows carries the case's own team, so a team's insights, read through
the copy, count exactly its rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    ExceptionRequest,
    FeedbackRequest,
    FollowUpTask,
    Interaction,
    Reminder,
    TaskKind,
)
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ON_A_CASE = (Interaction, ExceptionRequest, FollowUpTask, Reminder, FeedbackRequest)


def test_rows_written_through_the_services_carry_their_cases_team(
    case, staff, other_team, other_team_staff, category
):
    made = CaseFactory(team=other_team, created_by=other_team_staff, category=category)
    other = Case.objects.get(pk=made.pk)
    soon = timezone.now() + timedelta(days=2)
    for each, person in ((case, staff), (other, other_team_staff)):
        services.log_interaction(
            each, by=person, channel="phone", direction="inbound", summary="Rang about it",
            demeanour="calm", minutes=4, promise="Call back", promise_due_at=soon,
        )  # fmt: skip
        services.add_task(
            each, by=person, title="Check stock", kind=TaskKind.CALL_BACK, assignee=person,
            due_at=soon,
        )  # fmt: skip
        services.request_exception(
            each, by=person, allowed=None, value=Decimal("40.00"), customer_ask="A refund",
            justification="Faulty twice",
        )  # fmt: skip
        services.schedule_feedback(each, send_at=soon)
    for model in ON_A_CASE:
        rows = model.objects.all()
        assert rows.filter(team_id=case.team_id).exists(), model.__name__
        assert rows.filter(team_id=other_team.pk).exists(), model.__name__
        assert not rows.exclude(team_id=F("case__team_id")).exists(), model.__name__


def test_a_bulk_insert_that_forgets_the_team_is_refused(case, staff):
    """The column is NOT NULL: a writer that skips save() cannot leave a row out of every
    team's insights."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.bulk_create(
            [
                Interaction(
                    case=case, author=staff, occurred_at=timezone.now(), channel="phone",
                    direction="inbound", summary="No team", demeanour="calm",
                )
            ]
        )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_a_row_whose_team_is_not_its_cases(case, staff, other_team):
    """A foreign key on (case, team) holds the copy to the case, whatever writes it."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            case=case, team=other_team, author=staff, occurred_at=timezone.now(),
            channel="phone", direction="inbound", summary="Wrong team", demeanour="calm",
        )  # fmt: skip
    assert not Interaction.objects.filter(summary="Wrong team").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_carries_the_rows_along_if_a_case_ever_moves_team(case, staff, other_team):
    """No service moves a case; were one written (or an operator to move it by hand), its
    rows would follow, and the moved case's figures with them."""
    services.log_interaction(
        case, by=staff, channel="phone", direction="inbound", summary="Before the move",
        demeanour="calm", minutes=3,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(team=other_team)
    assert set(Interaction.objects.filter(case=case).values_list("team_id", flat=True)) == {
        other_team.pk
    }
