"""Token authentication for integrations: `Authorization: Token <key>` or `Bearer <key>`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiToken
from .tokens import api_token_touch, hash_key

KEYWORDS = {b"token", b"bearer"}


class TokenAuthentication(authentication.BaseAuthentication):
    """Looks the key up by its hash; a revoked token or a disabled account is refused (401)."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the key as “Authorization: Token <key>”."), code="token_malformed"
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid."), code="token_invalid"
            ) from None
        token = (
            ApiToken.objects.select_related("user__profile").filter(key_hash=hash_key(key)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid."), code="token_invalid"
            )
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API token has been revoked."), code="token_revoked"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account of this API token is disabled."), code="account_disabled"
            )
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the schema (and the docs' Authorize button) describes token authentication."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key> (or Bearer <key>); keys are issued in the admin.",
        }
