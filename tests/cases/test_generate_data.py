"""The data generator: realistic shapes, consistent rows, pages that work on them."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases.models import Case, CaseEvent, ExceptionRequest, Interaction, Reminder, User

pytestmark = [
    pytest.mark.postgres,
    # It sets session options and runs VACUUM: not through PgBouncer (the guard is tested).
    pytest.mark.direct_db,
    pytest.mark.django_db(transaction=True),
]

DANGLING = {
    "interaction without case": (
        "SELECT COUNT(*) FROM cases_interaction i LEFT JOIN cases_case c ON c.id = i.case_id "
        "WHERE c.id IS NULL"
    ),
    "event without case": (
        "SELECT COUNT(*) FROM cases_caseevent e LEFT JOIN cases_case c ON c.id = e.case_id "
        "WHERE c.id IS NULL"
    ),
    "event with missing interaction": (
        "SELECT COUNT(*) FROM cases_caseevent e LEFT JOIN cases_interaction i "
        "ON i.id = e.interaction_id WHERE e.interaction_id IS NOT NULL AND i.id IS NULL"
    ),
    "case without customer": (
        "SELECT COUNT(*) FROM cases_case c LEFT JOIN cases_customer u ON u.id = c.customer_id "
        "WHERE u.id IS NULL"
    ),
    "case assigned outside its team": (
        "SELECT COUNT(*) FROM cases_case c WHERE c.assignee_id IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM cases_user_teams t "
        "WHERE t.user_id = c.assignee_id AND t.team_id = c.team_id)"
    ),
    "request on missing case": (
        "SELECT COUNT(*) FROM cases_exceptionrequest r LEFT JOIN cases_case c ON c.id = r.case_id "
        "WHERE c.id IS NULL"
    ),
    "reminder for missing task": (
        "SELECT COUNT(*) FROM cases_reminder r LEFT JOIN cases_followuptask t ON t.id = r.task_id "
        "WHERE r.task_id IS NOT NULL AND t.id IS NULL"
    ),
}


def test_generated_data_is_consistent_and_realistic(category, guidance, client, capsys):
    from policies.defaults import CATEGORIES
    from policies.models import Category

    for slug, name in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})
    call_command("generate_data", cases=3000, teams=4, users=60, seed=3)
    assert "3,000 cases" in capsys.readouterr().out
    with connection.cursor() as cursor:
        for what, sql in DANGLING.items():
            cursor.execute(sql)
            assert cursor.fetchone()[0] == 0, what
    assert Case.objects.count() == 3000
    per_case = Interaction.objects.count() / 3000
    assert 3 <= per_case <= 8
    requests = ExceptionRequest.objects.count()
    assert 0.05 * 3000 <= requests <= 0.15 * 3000
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "open", "resolved", "closed"} <= statuses
    assert Reminder.objects.exists()
    # Every case has its "opened" event and its timeline matches its interactions.
    assert CaseEvent.objects.filter(kind="opened").count() == 3000
    assert CaseEvent.objects.filter(kind="interaction").count() == Interaction.objects.count()
    # New rows after the load get fresh ids (sequences were moved past the copied ids).
    assert (
        Case.objects.create(
            customer_id=1,
            team_id=Case.objects.first().team_id,
            subject="After",
            category_id=Case.objects.first().category_id,
            channel="phone",
            created_by=User.objects.filter(username__startswith="gen-")[0],
        ).pk
        == 3001
    )
    # The pages work on it: the busiest case and the list.
    busiest = Case.objects.order_by("-last_activity_at").first()
    client.force_login(User.objects.filter(role="admin").first())
    assert client.get(reverse("case_list")).status_code == 200
    assert client.get(busiest.get_absolute_url()).status_code == 200


def test_the_same_seed_gives_the_same_shapes(category, guidance):
    call_command("generate_data", cases=1000, teams=3, users=30, seed=11)
    first = (Interaction.objects.count(), ExceptionRequest.objects.count())
    call_command("generate_data", cases=1000, teams=3, users=30, seed=11)
    assert (Interaction.objects.count(), ExceptionRequest.objects.count()) == first


def test_the_generator_refuses_a_transaction_pooler(settings) -> None:
    from django.core.management.base import CommandError

    settings.DATABASE_POOLER = "pgbouncer"
    with pytest.raises(CommandError, match="not PgBouncer"):
        call_command("generate_data", cases=10)
    assert not Case.objects.exists()
