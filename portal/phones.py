"""Chinese mobile numbers (手机号) as people type them, and as they are stored.

A mobile number is 11 digits starting 13–19 (``1[3-9]``); people write it
with a +86 / 0086 / 86 country code, spaces, hyphens, dots or brackets, in
full-width digits from a Chinese input method. It is stored as the 11 digits,
so the same number typed two ways is one number (the registrations' unique
constraint per event compares the stored text).

``members.importing`` keeps its own, wider phone rules (landlines, 400
numbers) for the member list; this module is for a person's mobile only.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"1[3-9]\d{9}")
# Full-width digits, plus and hyphen (an input method's ０-９, ＋, －) as ASCII.
_FULL_WIDTH = {0xFF0B: "+", 0xFF0D: "-", **{0xFF10 + n: str(n) for n in range(10)}}
_SEPARATORS = re.compile(r"[\s\-‐‑–—.·()（）]")
_COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")


def mobile_number(text: str) -> str | None:
    """The 11 digits of the Chinese mobile number ``text``, or None when it is not one."""
    number = _SEPARATORS.sub("", (text or "").translate(_FULL_WIDTH))
    number = _COUNTRY_CODE.sub("", number)
    return number if MOBILE.fullmatch(number) else None


def stored_phone(text: str) -> str:
    """The phone as stored: a mobile number as its 11 digits, anything else as typed."""
    return mobile_number(text) or (text or "").strip()


class TelInput(forms.TextInput):
    input_type = "tel"


class MobileNumberField(forms.CharField):
    """A form field for a Chinese mobile number; cleans to the 11 digits."""

    widget = TelInput

    default_error_messages = {
        "mobile": _(
            "Enter a mainland China mobile number: 11 digits starting with 1, "
            "e.g. 138 0000 0000 (+86 may be left out)."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        number = mobile_number(value)
        if number is None:
            raise ValidationError(self.error_messages["mobile"], code="mobile")
        return number
