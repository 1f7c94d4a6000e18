"""Log-ins, log-outs and failed log-ins go into the audit trail; a fresh log-in also
decides whether the session owes a TOTP code. Auditing only: no business rule lives here."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import two_factor
from .choices import AuditAction, AuditResult
from .services import record_write


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        two_factor.start_session(request, user)
    record_write(action=AuditAction.LOGIN, result=AuditResult.OK, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_write(action=AuditAction.LOGOUT, result=AuditResult.OK, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record_write(
        action=AuditAction.LOGIN_FAILED,
        result=AuditResult.FAILED,
        username=str(credentials.get("username", "")),
        request=request,
    )
