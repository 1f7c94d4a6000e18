"""TOTP two-factor log-in: who must use it, the session's state, enrolment and verification.

After the password, a session is in one of three states (kept in the session, so deciding
costs no query per request): it owes a code (`pending`), it gave one (`verified`), or this
person needs none (`not_needed`). Administrators, staff and the roles in
TWO_FACTOR_REQUIRED_ROLES always owe a code; anyone else owes one once they have enrolled.
"""

import base64
import binascii
import io
import time
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from taskboard.models import role_of

SESSION_KEY = "two_factor"
SETUP_KEY_SESSION_KEY = "two_factor_setup_key"
PENDING = "pending"
VERIFIED = "verified"
NOT_NEEDED = "not_needed"
# One code step either side of now, as django-otp's default tolerance.
TOLERANCE = 1


class CodeRefused(Exception):
    """The code is wrong, expired, already used, or too many wrong codes were tried."""

    def __init__(self, throttled: bool = False):
        super().__init__("code refused")
        self.throttled = throttled


def is_required(user) -> bool:
    """Must this person give a TOTP code after the password?"""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return role_of(user) in set(settings.TWO_FACTOR_REQUIRED_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def state_at_login(user) -> str:
    """What a fresh log-in owes: every password log-in asks again for the code."""
    if is_required(user) or confirmed_device(user) is not None:
        return PENDING
    return NOT_NEEDED


def start_session(request, user) -> None:
    request.session[SESSION_KEY] = state_at_login(user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def is_pending(request) -> bool:
    """Does this session still owe a code? Sessions from before two-factor log-in existed
    have no state yet: decide for them once."""
    state = request.session.get(SESSION_KEY)
    if state is None:
        if not request.user.is_authenticated:
            return False
        state = state_at_login(request.user)
        request.session[SESSION_KEY] = state
    return state == PENDING


def _mark_verified(request, device: TOTPDevice) -> None:
    # A new session key once the session is worth more, as at log-in.
    request.session.cycle_key()
    request.session[SESSION_KEY] = VERIFIED
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session.pop(SETUP_KEY_SESSION_KEY, None)


def setup_key(request) -> str:
    """The hex key offered for enrolment, kept in the session until it is confirmed, so
    showing the page writes nothing."""
    key = request.session.get(SETUP_KEY_SESSION_KEY)
    if not key:
        key = random_hex(20)
        request.session[SETUP_KEY_SESSION_KEY] = key
    return key


def manual_key(hex_key: str) -> str:
    """The key as people type it into an authenticator app: base32 in groups of four."""
    b32 = base64.b32encode(binascii.unhexlify(hex_key)).decode()
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def config_url(hex_key: str, username: str) -> str:
    """The otpauth:// URL authenticator apps read from the QR code."""
    issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
    params = urlencode(
        {
            "secret": base64.b32encode(binascii.unhexlify(hex_key)).decode(),
            "algorithm": "SHA1",
            "digits": 6,
            "period": 30,
        }
    )
    return f"otpauth://totp/{quote(f'{issuer}:{username}')}?{params}&issuer={quote(issuer)}"


def qr_svg(text: str) -> str:
    """The QR code as inline SVG, drawn here: the key never leaves the server."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # Drop the XML declaration: the SVG goes inline into an HTML page.
    return svg[svg.index("<svg") :]


@transaction.atomic
def device_enrol(*, request, user, hex_key: str, token: str) -> TOTPDevice:
    """Confirm the key from the setup page with a code from the person's app: the first
    device of a person, verified at once."""
    totp = TOTP(binascii.unhexlify(hex_key))
    totp.time = time.time()
    if not token.isdigit() or not totp.verify(int(token), tolerance=TOLERANCE):
        raise CodeRefused()
    if TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
        raise CodeRefused()
    device = TOTPDevice.objects.create(
        user=user,
        name="TOTP",
        key=hex_key,
        confirmed=True,
        # The code just used may not be used again.
        last_t=totp.t(),
        drift=totp.drift,
    )
    _mark_verified(request, device)
    return device


def device_verify(*, request, user, token: str) -> TOTPDevice:
    """Check a code against the person's device; wrong codes are throttled by django-otp
    (each failure doubles the wait before the next try)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CodeRefused()
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise CodeRefused(throttled=True)
        verified = device.verify_token(token)
    if not verified:
        raise CodeRefused()
    _mark_verified(request, device)
    return device
