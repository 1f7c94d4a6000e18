"""The person's notification settings: which channel, how often, and where to."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ChannelPreference, DeliveryMode

# A mainland mobile number: 11 digits starting 13–19. Spaces, dashes and a +86 / 0086
# prefix are accepted and dropped.
MOBILE = re.compile(r"1[3-9]\d{9}")
MOBILE_NOISE = re.compile(r"[\s\-()]")


def normalise_mobile(value: str) -> str:
    number = MOBILE_NOISE.sub("", value)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    return number


class PreferencesForm(forms.Form):
    """Email and SMS modes, with the address each needs."""

    email_mode = forms.ChoiceField(
        label=_("Email"), choices=ChannelPreference._meta.get_field("email_mode").choices
    )
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    sms_mode = forms.ChoiceField(label=_("SMS"), choices=DeliveryMode.choices)
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        help_text=_("11 digits, e.g. 13800138000."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if getattr(user, "profile", None) is None:
            # Nowhere to keep a number: SMS stays off.
            del self.fields["phone"]
            self.fields["sms_mode"].choices = [(DeliveryMode.OFF, DeliveryMode.OFF.label)]

    def clean_phone(self) -> str:
        number = normalise_mobile(self.cleaned_data["phone"])
        if number and not MOBILE.fullmatch(number):
            raise forms.ValidationError(
                _("Enter a mainland mobile number of 11 digits, e.g. 13800138000."),
                code="invalid_mobile",
            )
        return number

    def clean(self):
        data = super().clean()
        email_on = data.get("email_mode", DeliveryMode.OFF) != DeliveryMode.OFF
        if email_on and not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                forms.ValidationError(
                    _("An email address is needed to receive email."), code="email_needed"
                ),
            )
        sms_on = data.get("sms_mode", DeliveryMode.OFF) != DeliveryMode.OFF
        if (
            sms_on
            and "phone" in self.fields
            and not data.get("phone")
            and "phone" not in self.errors
        ):
            self.add_error(
                "phone",
                forms.ValidationError(
                    _("A mobile number is needed to receive SMS."), code="phone_needed"
                ),
            )
        return data
