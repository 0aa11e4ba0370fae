"""Phone numbers as people type them: one customer found by every form of their number."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from cases import selectors, services
from cases.models import Customer
from cases.phones import InvalidPhone, PhoneSearch, parse_phone
from tests.factories import CustomerFactory

GRACE = "+44 7700 900105"
GRACE_E164 = "+447700900105"

# Every way staff type Grace's number at the counter.
SAME_NUMBER = [
    "07700 900105",
    "07700900105",
    "0 7700 900 105",
    "(07700) 900-105",
    "07700.900.105",
    "+44 7700 900105",
    "+447700900105",
    "+44 (0) 7700 900105",
    "0044 7700 900105",
    "7700 900105",
]


@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_every_way_of_typing_a_uk_number_is_one_e164_number(typed):
    assert parse_phone(typed) == GRACE_E164


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+1 202-555-0143", "+12025550143"),
        ("001 202 555 0143", "+12025550143"),
        ("+48 512 345 678", "+48512345678"),
        ("+34 612 34 56 78", "+34612345678"),
        ("020 7946 0000", "+442079460000"),
    ],
)
def test_other_regions_in_international_form_and_uk_landlines_parse(typed, e164):
    assert parse_phone(typed) == e164


def test_the_region_setting_decides_what_a_national_number_means(settings):
    settings.CASEDESK_PHONE_REGION = "PL"
    assert parse_phone("512 345 678") == "+48512345678"
    assert parse_phone("+44 7700 900105") == GRACE_E164  # international stays itself


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12", "too short"),
        ("0770090010512345", "too long"),
        ("call me", "digits"),
        ("07700 9OO105", "digits"),  # letter O for zero
        ("+999 1234 5678", "country code"),
        ("+", "phone number"),
    ],
)
def test_what_is_not_a_phone_number_is_refused_with_a_reason(typed, says):
    with pytest.raises(InvalidPhone) as refused:
        parse_phone(typed)
    assert says in str(refused.value)


@pytest.mark.django_db
def test_a_customer_keeps_the_number_as_typed_and_its_normalised_forms(staff, team):
    customer = services.create_customer(
        by=staff, team=team, name="Grace Osei", phone="07700 900105"
    )
    customer.refresh_from_db()
    assert customer.phone == "07700 900105"  # shown as typed
    assert customer.phone_normalised == GRACE_E164
    assert customer.phone_reversed == "501009007744"


@pytest.fixture
def grace(staff, team):
    return services.create_customer(by=staff, team=team, name="Grace Osei", phone=GRACE)


@pytest.fixture
def crowd(staff, team):
    """Other customers whose numbers share starts or ends with Grace's, or not at all."""
    return [
        CustomerFactory(team=team, created_by=staff, name="Near Start", phone="+44 7700 900999"),
        CustomerFactory(team=team, created_by=staff, name="Near End", phone="+44 7811 000105"),
        CustomerFactory(team=team, created_by=staff, name="Us Caller", phone="+1 202 555 0143"),
    ]


def found(user, typed):
    return {match.customer.name for match in selectors.typeahead(user, typed).customers}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_search_as_you_type_finds_the_customer_however_the_number_is_typed(
    staff, grace, crowd, typed
):
    assert found(staff, typed) == {"Grace Osei"}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_the_search_page_finds_the_customer_however_the_number_is_typed(staff, grace, crowd, typed):
    results = selectors.search(staff, typed)
    assert [c.name for c in results.customers] == ["Grace Osei"]


@pytest.mark.django_db
def test_the_last_four_or_more_digits_find_every_customer_ending_so(staff, grace, crowd):
    assert found(staff, "900105") == {"Grace Osei"}
    assert found(staff, "0105") == {"Grace Osei", "Near End"}
    assert found(staff, "0 105") == {"Grace Osei", "Near End"}
    assert found(staff, "0143") == {"Us Caller"}
    assert found(staff, "105") == set()  # three digits match too much to be useful


@pytest.mark.django_db
def test_a_number_typed_from_its_start_narrows_as_it_grows(staff, grace, crowd):
    assert found(staff, "07700 900") == {"Grace Osei", "Near Start"}
    assert found(staff, "+44 7700 9001") == {"Grace Osei"}
    assert found(staff, "0044 7700 9009") == {"Near Start"}


@pytest.mark.django_db
def test_another_regions_number_is_found_in_international_form(staff, grace, crowd):
    assert found(staff, "+1 (202) 555-0143") == {"Us Caller"}
    assert found(staff, "001 202 555 0143") == {"Us Caller"}


@pytest.mark.django_db
def test_phone_search_never_shows_another_teams_customer(other_team_staff, grace):
    assert found(other_team_staff, "07700 900105") == set()
    assert found(other_team_staff, "0105") == set()
    assert selectors.search(other_team_staff, "07700 900105").customers == []


@pytest.mark.django_db
def test_the_duplicate_warning_knows_a_national_and_an_international_number_are_one(staff, grace):
    from cases.forms import find_duplicates

    assert find_duplicates(staff, email="", phone="07700 900105") == [grace]
    assert find_duplicates(staff, email="", phone="0044 7700 900 105") == [grace]
    assert find_duplicates(staff, email="", phone="07700 900106") == []


def test_a_query_that_is_not_a_number_asks_nothing_of_phones():
    assert not PhoneSearch("Grace")
    assert not PhoneSearch("12")
    assert not PhoneSearch("CD-000123")
    assert PhoneSearch("0105").suffix == "5010"


@pytest.mark.django_db
def test_the_migration_normalises_existing_rows_in_batches(staff, team, monkeypatch):
    migration = importlib.import_module("cases.migrations.0015_phone_numbers_e164")
    customers = [
        CustomerFactory(team=team, created_by=staff, phone=phone)
        for phone in ["07700 900105", "+1 202 555 0143", "0161 496 0000", "12-34", ""]
    ]
    # As the rows were before: digits only, no reversed column.
    Customer.objects.update(phone_normalised="07700900105", phone_reversed="")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches over six rows

    class Editor:
        connection = connection

    migration.normalise_existing(apps, Editor())
    rows = dict(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).values_list(
            "phone", "phone_normalised"
        )
    )
    assert rows == {
        "07700 900105": "+447700900105",
        "+1 202 555 0143": "+12025550143",
        "0161 496 0000": "+441614960000",
        "12-34": "1234",  # not a number: kept as its digits, still matches itself
        "": "",
    }
    assert Customer.objects.get(phone="0161 496 0000").phone_reversed == "000069416144"
