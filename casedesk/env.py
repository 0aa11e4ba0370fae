"""Tiny typed readers for settings from the environment.

Each fails loudly (ImproperlyConfigured) on a value it cannot read, so that a typo in a
deployment stops the process at start-up instead of silently running with a default.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_decimal(name: str, default: str, *, minimum: Decimal | None = None) -> Decimal:
    """A decimal amount (money): `30.00`, not a float, so sums stay exact."""
    raw = os.environ.get(name, default)
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number (e.g. 30.00).") from None
    if not value.is_finite():
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number (e.g. 30.00).")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """One of a fixed set of words, compared case-insensitively, returned as in `choices`."""
    raw = os.environ.get(name, default)
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_phone_region(name: str, default: str) -> str:
    """A region code that phone numbers can be parsed in ("GB", "PL", "US"…)."""
    import phonenumbers

    value = os.environ.get(name, default).strip().upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a region code phone numbers know (e.g. GB, PL, ES, US)."
        )
    return value


def email_settings(url: str) -> dict[str, object]:
    """Turn EMAIL_URL into Django email settings.

    `console:` (the default) prints mail, `smtp://user:pass@host:port` sends it, and
    `smtp+tls://…` / `smtp+ssl://…` encrypt the connection. `?timeout=N` sets the SMTP
    timeout in seconds (default 10); the EMAIL_TIMEOUT variable, when set, wins over it.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme in {"console", ""}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not console, smtp or smtp+tls.")
    if not parsed.hostname:
        raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp://mail.example.com:587.")
    query = parse_qs(parsed.query)
    timeout = query.get("timeout", ["10"])[0]
    if not timeout.isdigit() or int(timeout) < 1:
        raise ImproperlyConfigured(f"EMAIL_URL's timeout={timeout!r} is not a whole number ≥ 1.")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": parsed.port or (465 if scheme == "smtp+ssl" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": int(timeout),
    }


def cache_settings(url: str, *, key_prefix: str = "casedesk") -> dict[str, object]:
    """Turn CACHE_URL into Django's CACHES.

    `locmem:` (the default) keeps a cache per process, fine for one process on a laptop;
    `redis://host:6379/1` (or `rediss://…`) shares one cache between every web process and
    worker, which is what "shared for a minute" and "an edit shows at once" need.
    """
    scheme = urlparse(url).scheme
    if scheme in {"locmem", ""}:
        backend: dict[str, object] = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "casedesk",
        }
    elif scheme in {"redis", "rediss"}:
        backend = {
            "BACKEND": "casedesk.redis_cache.RedisCache",
            "LOCATION": url,
            # A cache that is down must not hang a page: fail fast, the page computes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    else:
        raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not locmem or redis.")
    return {"default": {**backend, "KEY_PREFIX": key_prefix}}


def session_engine(caches: dict[str, object]) -> str:
    """Sessions read from the cache when the cache is shared Redis, else from the database.

    Cached sessions save a query on every signed-in request (the session row), and stay
    right because every write, sign-out included, goes to the database and the cache
    together. Only with a cache every process shares: with a cache per process, a session
    signed out in one process would stay valid in another until its copy expired.
    """
    default = caches["default"]
    if isinstance(default, dict) and str(default.get("BACKEND")).endswith(".RedisCache"):
        return "django.contrib.sessions.backends.cached_db"
    return "django.contrib.sessions.backends.db"
