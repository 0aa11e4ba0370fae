"""Signatures are what the Standard Webhooks reference library accepts, through a secret
rotation too, and nothing else."""

from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks import signing


def test_a_signature_verifies_with_the_reference_library():
    secret = signing.new_secret()
    body = '{"type":"case.created","data":{"case":{"reference":"CD-000001"}}}'
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers(secrets_=[secret], msg_id="msg_abc", timestamp=now, body=body)
    assert Webhook(secret).verify(body, headers) == {
        "type": "case.created",
        "data": {"case": {"reference": "CD-000001"}},
    }
    assert secret.startswith("whsec_")
    assert headers["webhook-signature"].startswith("v1,")


def test_reference_library_signs_the_same_bytes():
    secret = signing.new_secret()
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    ours = signing.sign(secret=secret, msg_id="msg_1", timestamp=int(moment.timestamp()), body="{}")
    assert ours == Webhook(secret).sign("msg_1", moment, "{}")


@pytest.mark.parametrize("tamper", ["body", "id", "timestamp", "secret"])
def test_anything_changed_fails_verification(tamper):
    secret, other = signing.new_secret(), signing.new_secret()
    body = '{"n":1}'
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers(secrets_=[secret], msg_id="msg_x", timestamp=now, body=body)
    if tamper == "body":
        body = '{"n":2}'
    elif tamper == "id":
        headers["webhook-id"] = "msg_y"
    elif tamper == "timestamp":
        headers["webhook-timestamp"] = str(now - 1)
    else:
        secret = other
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_during_a_rotation_both_the_old_and_the_new_secret_verify():
    old, new = signing.new_secret(), signing.new_secret()
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers(secrets_=[new, old], msg_id="msg_r", timestamp=now, body="{}")
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify("{}", headers)
    Webhook(new).verify("{}", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify("{}", headers)
