"""Making, finding and revoking personal API tokens (the only writes to ApiToken)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.auth import IdList
from cases.models import User

from .models import ApiToken

# "cdk_" tells a secret scanner (and a person) what the string is; 32 random bytes are
# 256 bits, so a SHA-256 of the token is as strong as storing a salted slow hash would be.
TOKEN_PREFIX = "cdk_"
SHOWN_PREFIX = 12
# last_used_at is written at most this often per token: not a write per request.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    """The token cannot be made as asked; the message is fit to show the user."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, user: User, name: str, expires_at: datetime | None = None) -> NewToken:
    """A new token for `user`; the secret is returned here and nowhere else."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name, e.g. the till or system that will use it."))
    now = timezone.now()
    if expires_at is not None:
        if expires_at <= now:
            raise TokenError(_("The expiry must be in the future."))
        if expires_at > now + timedelta(days=settings.CASEDESK_API_TOKEN_MAX_DAYS):
            most = settings.CASEDESK_API_TOKEN_MAX_DAYS
            raise TokenError(
                ngettext(
                    "A token can last at most %(days)d day.",
                    "A token can last at most %(days)d days.",
                    most,
                )
                % {"days": most}
            )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:SHOWN_PREFIX],
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    return NewToken(token=token, secret=secret)


def revoke_token(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such live token."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def revoke_tokens(*, token_ids: list[int]) -> int:
    """An admin revokes any tokens (a lost till, someone leaving); returns how many."""
    return ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def find_token(secret: str) -> ApiToken | None:
    """The live token for this secret with its user and the user's team ids: one query.

    None when unknown, revoked, expired, or when the user is deactivated.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    memberships = User.teams.through.objects.filter(user_id=OuterRef("user_id"))
    team_ids = Subquery(
        memberships.values("user_id").annotate(ids=IdList("team_id")).values("ids")[:1]  # type: ignore[misc]
    )
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .annotate(team_id_list=team_ids)
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    # What User.team_ids() would otherwise fetch on first use (as cases.auth does).
    token.user._team_ids = sorted(int(i) for i in (token.team_id_list or "").split(",") if i)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:50])
