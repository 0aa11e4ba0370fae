"""A customer's preferred language through the API: read, written, defaulted, refused."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_reads_and_writes_the_language(api, staff, team, customer):
    client = api(staff)
    assert client.get(f"/api/v1/customers/{customer.pk}/").json()["preferred_language"] == "en-gb"
    made = client.post(
        "/api/v1/customers/",
        {"name": "Ana Ruiz", "email": "ana@example.com", "preferred_language": "es"},
    )
    assert made.status_code == 201 and made.json()["preferred_language"] == "es"
    left_out = client.post("/api/v1/customers/", {"name": "Al Default", "email": "al@example.com"})
    assert left_out.json()["preferred_language"] == "en-gb"
    changed = client.patch(f"/api/v1/customers/{customer.pk}/", {"preferred_language": "pl"})
    assert changed.status_code == 200 and changed.json()["preferred_language"] == "pl"
    refused = client.patch(f"/api/v1/customers/{customer.pk}/", {"preferred_language": "klingon"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "preferred_language"
    customer.refresh_from_db()
    assert customer.preferred_language == "pl"
