"""Amounts as people read them: ¥3,000.00 and 人民币叁仟元整."""

from decimal import Decimal

from django import template

from dues import money

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """¥3,000.00"""
    if amount is None or amount == "":
        return ""
    return f"¥{Decimal(amount):,.2f}"


@register.filter
def rmb_upper(amount) -> str:
    if amount is None or amount == "":
        return ""
    return money.rmb_upper(Decimal(amount))
