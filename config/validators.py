"""Password rules beyond Django's own validators."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _kinds_of_characters(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c in string.digits for c in password),
        # Anything that is neither a letter nor an ASCII digit counts as a symbol; Chinese
        # characters are letters to str.isalpha and so count as neither case.
        any(not c.isalpha() and c not in string.digits for c in password),
    ]
    return sum(kinds)


class ComplexityValidator:
    """A password mixes at least `min_kinds` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_kinds: int = 3):
        if not 1 <= min_kinds <= 4:
            raise ValueError("min_kinds must be between 1 and 4.")
        self.min_kinds = min_kinds

    def validate(self, password: str, user=None) -> None:
        if _kinds_of_characters(password) < self.min_kinds:
            raise ValidationError(
                ngettext(
                    "This password is too simple. It must use at least %(min_kinds)d kind of "
                    "character: lower-case letters, upper-case letters, digits, symbols.",
                    "This password is too simple. It must use at least %(min_kinds)d kinds of "
                    "characters: lower-case letters, upper-case letters, digits, symbols.",
                    self.min_kinds,
                ),
                code="password_too_simple",
                params={"min_kinds": self.min_kinds},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must use at least %(min_kinds)d of: lower-case letters, "
            "upper-case letters, digits, symbols."
        ) % {"min_kinds": self.min_kinds}
