"""The embedded default: SQLite and Celery's filesystem broker in var/, for `make run`."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-not-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

for folder in ("broker/queue", "broker/processed", "broker/control", "media"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
