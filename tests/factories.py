"""factory_boy factories for the test suite. Writes that matter go through services;
factories build the surrounding world quickly."""

import factory
from django.utils import timezone

from cases.models import Case, Channel, Customer, Interaction, Role, Team, User
from policies.models import Category, Demeanour


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
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
    def teams(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+44 7700 {n:06d}")
    team = factory.SubFactory(TeamFactory)
    created_by = factory.SubFactory(UserFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    customer = factory.SubFactory(CustomerFactory, team=factory.SelfAttribute("..team"))
    team = factory.SubFactory(TeamFactory)
    subject = factory.Sequence(lambda n: f"Case subject {n}")
    category = factory.SubFactory(CategoryFactory)
    channel = Channel.PHONE
    demeanour = Demeanour.CALM
    created_by = factory.SubFactory(UserFactory)


class InteractionFactory(factory.django.DjangoModelFactory):
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
