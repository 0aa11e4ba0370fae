"""Safe by default: deploy checks, loud configuration errors, CSP, login throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from casedesk.env import email_settings, env_bool, env_int, env_phone_region

ROOT = Path(__file__).resolve().parent.parent


# The test run's own settings put these in os.environ; a production process has none.
TEST_ONLY = {"DJANGO_SETTINGS_MODULE", "HTTPS", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="casedesk.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_typo_in_a_boolean_setting_stops_the_process(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)
    monkeypatch.setenv("EMAIL_TIMEOUT", "ten")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT"):
        env_int("EMAIL_TIMEOUT", 10)


def test_the_phone_region_is_a_region_code_or_the_process_stops(monkeypatch):
    monkeypatch.setenv("CASEDESK_PHONE_REGION", "pl")
    assert env_phone_region("CASEDESK_PHONE_REGION", "GB") == "PL"
    monkeypatch.setenv("CASEDESK_PHONE_REGION", "UK")  # the ISO code is GB
    with pytest.raises(ImproperlyConfigured, match="CASEDESK_PHONE_REGION='UK'"):
        env_phone_region("CASEDESK_PHONE_REGION", "GB")
    monkeypatch.delenv("CASEDESK_PHONE_REGION")
    assert env_phone_region("CASEDESK_PHONE_REGION", "GB") == "GB"


def test_email_url_turns_into_smtp_settings():
    settings = email_settings("smtp+tls://user%40shop:p%2Fss@mail.example.com:587")
    assert settings["EMAIL_HOST"] == "mail.example.com"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_HOST_USER"] == "user@shop"
    assert settings["EMAIL_HOST_PASSWORD"] == "p/ss"
    assert settings["EMAIL_USE_TLS"] is True
    with pytest.raises(ImproperlyConfigured):
        email_settings("carrier-pigeon://coop")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(signed_in, staff):
    response = signed_in(staff).get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "<script>" not in response.content.decode()  # no inline script block


@pytest.mark.django_db
def test_login_locks_out_a_username_and_address_after_five_failures(client, staff, colleague):
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": "staff", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    # The fifth failure locks the pair out; after that even the right password waits.
    assert client.post(url, {"username": "staff", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "staff", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # A colleague at the same counter can still sign in.
    ok = client.post(url, {"username": "colleague", "password": "correct-horse-battery"})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_sign_out_is_a_post(signed_in, staff):
    client = signed_in(staff)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
