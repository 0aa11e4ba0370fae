"""factory_boy factories for the test suite. Writes that matter go through services;
factories build the surrounding world quickly."""

import factory
from django.utils import timezone

from cases.models import Case, Channel, Customer, Interaction, Role, Team, User
from policies.models import Category, Demeanour


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.STAFF
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+44 7700 {n:06d}")
    team = factory.SubFactory(TeamFactory)
    created_by = factory.SubFactory(UserFactory)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    customer = factory.SubFactory(CustomerFactory, team=factory.SelfAttribute("..team"))
    team = factory.SubFactory(TeamFactory)
    subject = factory.Sequence(lambda n: f"Case subject {n}")
    category = factory.SubFactory(CategoryFactory)
    channel = Channel.PHONE
    demeanour = Demeanour.CALM
    created_by = factory.SubFactory(UserFactory)


class InteractionFactory(factory.django.DjangoModelFactory[Interaction]):
    class Meta:
        model = Interaction

    case = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    channel = Channel.PHONE
    direction = "inbound"
    summary = factory.Faker("sentence")
    demeanour = Demeanour.CALM
    minutes = 5


def add_due_tasks(case, staff, n: int) -> list:
    """n open tasks due in 30 minutes, through the service: each has a due-soon reminder
    that is due now (and a later overdue one)."""
    from datetime import timedelta

    from cases import services

    return [
        services.add_task(
            case,
            by=staff,
            title=f"Follow-up {i}",
            kind="call_back",
            assignee=staff,
            due_at=timezone.now() + timedelta(minutes=30),
        )
        for i in range(n)
    ]


def add_timeline_events(case, actor, n: int, *, same_time: bool = False) -> None:
    """n events noted "Step 0" … "Step n-1", a minute apart (or all at one instant),
    oldest first, starting 30 days ago."""
    from datetime import timedelta

    from cases.models import CaseEvent, EventKind

    start = timezone.now() - timedelta(days=30)
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actor,
            kind=EventKind.OPENED,
            to_value=f"Step {i}",
            created_at=start if same_time else start + timedelta(minutes=i),
        )
        for i in range(n)
    )
