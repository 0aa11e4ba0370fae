"""Personal API tokens: made on the profile page, shown once, stored as a hash, revocable;
and what every API response carries (no-store, JSON errors, throttling)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _make(client, name="Till 2", expires_in=""):
    return client.post(
        "/profile/", {"action": "create_token", "name": name, "expires_in": expires_in}
    )


def _shown_secret(page: str) -> str:
    match = re.search(r'id="new-token-value" type="text" readonly value="(cdk_[^"]+)"', page)
    assert match, "the new token is shown"
    return match.group(1)


def test_a_token_made_on_the_profile_page_is_shown_once_and_stored_as_a_hash(signed_in, staff):
    client = signed_in(staff)
    response = _make(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _shown_secret(response.content.decode())
    token = ApiToken.objects.get(user=staff)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))
    assert secret.startswith(token.prefix) and len(secret) >= 40
    later = client.get("/profile/").content.decode()
    assert secret not in later and f"{token.prefix}…" in later and "Till 2" in later
    me = ApiClient(secret).get("/api/v1/cases/")
    assert me.status_code == 200


def test_a_token_needs_a_name_and_the_form_says_so(signed_in, staff):
    response = _make(signed_in(staff), name="  ")
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_expiring_token_stops_working_after_its_day(signed_in, staff):
    secret = _shown_secret(_make(signed_in(staff), expires_in="30").content.decode())
    assert ApiClient(secret).get("/api/v1/tasks/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert ApiClient(secret).get("/api/v1/tasks/").status_code == 401


def test_revoking_on_the_profile_page_stops_the_token_at_once(signed_in, staff):
    client = signed_in(staff)
    secret = _shown_secret(_make(client).content.decode())
    token = ApiToken.objects.get(user=staff)
    response = client.post("/profile/", {"action": "revoke_token", "token": token.pk})
    assert response.status_code == 302
    assert ApiClient(secret).get("/api/v1/tasks/").status_code == 401
    assert "revoked" in client.get("/profile/").content.decode()


def test_nobody_revokes_someone_elses_token(signed_in, staff, colleague, token_for):
    secret = token_for(staff)
    token = ApiToken.objects.get(user=staff)
    signed_in(colleague).post("/profile/", {"action": "revoke_token", "token": token.pk})
    assert ApiClient(secret).get("/api/v1/tasks/").status_code == 200


def test_the_profile_page_needs_signing_in(client):
    response = client.get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_token_acts_with_its_users_role(api, staff):
    response = api(staff).get("/api/v1/insights/summary/")
    assert response.status_code == 403


def test_last_used_is_written_at_most_once_a_minute(token_for, staff):
    secret = token_for(staff)
    client = ApiClient(secret)
    client.get("/api/v1/tasks/")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/tasks/")
    assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        client.get("/api/v1/tasks/")
    last = ApiToken.objects.get().last_used_at
    assert last is not None and last > first


def test_a_garbled_or_unknown_token_is_a_401(staff):
    for header in ("Bearer", "Bearer a b", "Bearer cdk_unknown", "Bearer " + "x" * 500):
        response = ApiClient(Authorization=header).get("/api/v1/cases/")
        assert response.status_code == 401, header


def test_session_writes_need_the_csrf_token(staff, case):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.get("/api/v1/cases/").status_code == 200
    url = f"/api/v1/cases/{case.reference}/triage/"
    refused = browser.post(url, {"priority": "high"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["errors"][0]["message"]


def test_too_many_requests_get_429_with_retry_after(api, staff, settings):
    settings.CASEDESK_API_RATE_TOKEN = "3/min"
    client = api(staff)
    codes = [client.get("/api/v1/tasks/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/tasks/")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["code"] == "throttled"
    # Another person's token has its own allowance.
    assert api(staff).get("/api/v1/tasks/").status_code == 200


def test_one_address_is_throttled_whatever_the_token(api, staff, colleague, settings):
    settings.CASEDESK_API_RATE_ADDRESS = "2/min"
    api(staff).get("/api/v1/tasks/")
    api(colleague).get("/api/v1/tasks/")
    assert api(colleague).get("/api/v1/tasks/").status_code == 429
    # Anonymous calls and guesses at tokens count (and are refused) before any lookup.
    assert ApiClient().get("/api/v1/tasks/").status_code == 429
    assert ApiClient("cdk_guess").get("/api/v1/tasks/").status_code == 429


def test_errors_name_the_field_and_keep_the_input_apart(api, staff, case):
    url = f"/api/v1/cases/{case.reference}/interactions/"
    response = api(staff).post(url, {"channel": "pigeon", "summary": "", "demeanour": "calm"})
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["channel"]["code"] == "invalid_choice"
    assert errors["summary"]["code"] == "blank"
    assert all(e["message"] for e in errors.values())


def test_a_domain_rule_is_a_json_error(api, staff, case):
    from cases import services

    services.resolve_case(case, by=staff, outcome="compromise", summary="Credit")
    response = api(staff).post(f"/api/v1/cases/{case.reference}/triage/", {"priority": "high"})
    # Resolved is not closed: triage is allowed; closing refuses it.
    assert response.status_code == 200
    response = api(staff).post(
        f"/api/v1/cases/{case.reference}/resolve/", {"outcome": "compromise", "summary": "Again"}
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "This case is resolved; it cannot become Resolved.",
            "code": "invalid_transition",
        }
    ]


def test_create_token_refuses_a_past_expiry(staff):
    with pytest.raises(tokens.TokenError):
        tokens.create_token(user=staff, name="x", expires_at=timezone.now() - timedelta(days=1))


def test_a_path_matching_no_route_is_a_json_404(api, staff):
    response = api(staff).get("/api/v1/tasks/abc/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert "no-store" in response["Cache-Control"]


def test_the_site_404_page_is_unchanged(signed_in, staff):
    response = signed_in(staff).get("/no-such-page/")
    assert response.status_code == 404 and b"<html" in response.content.lower()


def test_an_admin_revokes_a_lost_tills_token_in_the_django_admin(client, admin_user, staff):
    secret = tokens.create_token(user=staff, name="Till 3").secret
    token = ApiToken.objects.get(user=staff)
    client.force_login(admin_user)
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert "Till 3" in listing and token.prefix in listing and secret not in listing
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    assert ApiClient(secret).get("/api/v1/tasks/").status_code == 401


def test_behind_a_proxy_each_client_address_has_its_own_allowance(api, staff, settings):
    settings.CASEDESK_TRUSTED_PROXIES = 1
    settings.CASEDESK_API_RATE_ADDRESS = "1/min"
    client = api(staff)
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/api/v1/tasks/", **first).status_code == 200
    assert client.get("/api/v1/tasks/", **first).status_code == 429
    # A forged left-hand entry changes nothing; another client's address is counted apart.
    forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert client.get("/api/v1/tasks/", **forged).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.8"}
    assert client.get("/api/v1/tasks/", **other).status_code == 200
