"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without
I, O, Z, S, V); the last one is a check character computed from the first 17
with fixed weights modulo 31.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first17[:17], WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError with a message in Chinese (and English) unless valid."""
    if len(value) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="length",
            params={"length": len(value)},
        )
    if value != value.upper():
        raise ValidationError(
            _("Use capital letters in the unified social credit code."), code="lowercase"
        )
    bad = sorted({char for char in value if char not in ALPHABET})
    if bad:
        raise ValidationError(
            _(
                "The unified social credit code cannot contain %(chars)s (allowed: digits "
                "and capital letters except I, O, Z, S, V)."
            ),
            code="characters",
            params={"chars": "、".join(bad)},
        )
    if check_character(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "The unified social credit code's check character does not match; "
                "please check the code for typing errors."
            ),
            code="checksum",
        )


class CreditCodeField(models.CharField):
    """An optional, unique credit code: stored upper-case, empty values as NULL."""

    default_validators = [validate_credit_code]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LENGTH)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("unique", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        value = "".join(value.split()).upper()
        return value or None

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
