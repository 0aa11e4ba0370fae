"""Settings for webhooks (see webhooks/ and the README's "Webhooks"), read from the
environment like the rest of casedesk/settings.py, which imports them all."""

from .env import env_bool, env_int

CASEDESK_WEBHOOK_TIMEOUT_SECONDS = env_int("CASEDESK_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
CASEDESK_WEBHOOK_MAX_ATTEMPTS = env_int("CASEDESK_WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)
CASEDESK_WEBHOOK_BACKOFF_SECONDS = env_int("CASEDESK_WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
# A delivery left "sending" this long is taken to be from a sender that died: post it again.
# Keep it well above twice the timeout (a batch starts no post after half of it).
CASEDESK_WEBHOOK_CLAIM_TIMEOUT_SECONDS = env_int(
    "CASEDESK_WEBHOOK_CLAIM_TIMEOUT_SECONDS", 300, minimum=1
)
# An endpoint whose every try failed for this long is switched off (admins see it on home).
CASEDESK_WEBHOOK_DISABLE_AFTER_MINUTES = env_int(
    "CASEDESK_WEBHOOK_DISABLE_AFTER_MINUTES", 1440, minimum=1
)
# After a secret rotation the old secret keeps signing, beside the new one, this long.
CASEDESK_WEBHOOK_ROTATION_GRACE_HOURS = env_int(
    "CASEDESK_WEBHOOK_ROTATION_GRACE_HOURS", 24, minimum=0
)
# The list of subscribed endpoints is cached this long (an event then costs no query when
# nobody listens); a change clears it at once in a shared cache, later in local ones.
CASEDESK_WEBHOOK_ENDPOINT_CACHE_SECONDS = env_int(
    "CASEDESK_WEBHOOK_ENDPOINT_CACHE_SECONDS", 10, minimum=0
)
# Posting to private, loopback and link-local addresses is refused unless this is on
# (tests post to a receiver on 127.0.0.1).
CASEDESK_WEBHOOK_ALLOW_PRIVATE = env_bool("CASEDESK_WEBHOOK_ALLOW_PRIVATE", False)
