from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The six-digit code from the person's authenticator app."""

    code = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}
        ),
    )
