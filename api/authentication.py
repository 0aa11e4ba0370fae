"""`Authorization: Bearer cdk_…`: a personal API token acting as its user."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .tokens import find_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the session may still sign the request in
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                # Translators: keep "Authorization: Bearer <token>" as it is: it is the header.
                _("Send 'Authorization: Bearer <token>'.")
            )
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = find_token(secret)
        if token is None:
            # One message for unknown, revoked, expired and deactivated: no oracle.
            raise exceptions.AuthenticationFailed(_("The token is not valid, or no longer is."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
