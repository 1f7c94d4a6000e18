"""API tokens: created and revoked by administrators, stored as a hash, used as one person."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Role
from ..models import ApiToken, role_of
from ..services import ActionNotAllowed

KEY_PREFIX = "dbn_"
# Recording every request's time would write a row per call; once a minute is enough
# to see whether an integration is alive.
LAST_USE_RESOLUTION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    """Keys are 256 random bits, so a plain SHA-256 is enough to keep them unreadable."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _require_administrator(by) -> None:
    if role_of(by) != Role.ADMINISTRATOR:
        raise ActionNotAllowed(_("Only administrators manage API tokens."))


def check_token_user(user) -> None:
    """A token acts within one role's scope: an active account with a role (and, for unit
    roles, a unit), never a superuser, whose scope is everything."""
    if user is None or user.is_superuser or getattr(user, "profile", None) is None:
        raise ValidationError(
            _(
                "A token acts as an account with a role (and unit): choose such an "
                "account, not a superuser."
            )
        )
    if not user.is_active:
        raise ValidationError(_("This account is disabled."))


@transaction.atomic
def api_token_create(*, by, name: str, user) -> tuple[ApiToken, str]:
    """Make a token acting as `user` (a service account with a role and, for unit roles,
    a unit). Returns the token and its key; the key is not stored and cannot be shown again."""
    _require_administrator(by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if "\x00" in name or len(name) > 100:
        raise ValidationError({"name": _("Give a name of at most 100 characters.")})
    try:
        check_token_user(user)
    except ValidationError as error:
        raise ValidationError({"user": error.messages}) from None
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, prefix=key[:12], key_hash=hash_key(key), user=user, created_by=by
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Stop a token from working; revoking twice keeps the first time."""
    _require_administrator(by)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now: datetime.datetime | None = None) -> bool:
    """Record that the token was used, at most once per LAST_USE_RESOLUTION. A conditional
    UPDATE, so parallel requests write it once and no history row is made."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_RESOLUTION:
        return False
    stale = ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USE_RESOLUTION)
    written = stale.update(last_used_at=now)
    if written:
        token.last_used_at = now
    return bool(written)
