"""Amounts in Chinese capitals (dues.money.rmb_upper): the published rules' examples and a
round trip through an independent parser over random amounts."""

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dues.money import rmb_upper

# 中国人民银行《支付结算办法》附件《正确填写票据和结算凭证的基本规定》, its own examples.
PUBLISHED = [
    ("1409.50", "人民币壹仟肆佰零玖元伍角"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
]

OURS = [
    ("3000", "人民币叁仟元整"),
    ("3000.00", "人民币叁仟元整"),
    ("0", "人民币零元整"),
    ("0.00", "人民币零元整"),
    ("0.06", "人民币陆分"),
    ("0.50", "人民币伍角"),
    ("15", "人民币壹拾伍元整"),
    ("100000005", "人民币壹亿零伍元整"),
    ("10005", "人民币壹万零伍元整"),
    ("10050", "人民币壹万零伍拾元整"),
    ("10.04", "人民币壹拾元零肆分"),
    ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "expected"), PUBLISHED + OURS)
def test_it_writes_the_rules_examples(amount, expected):
    assert rmb_upper(Decimal(amount)) == expected


def test_it_takes_an_int():
    assert rmb_upper(8000) == "人民币捌仟元整"


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-0.01"),
        Decimal("-3000"),
        Decimal(10) ** 12,
        Decimal("1000000000000.00"),
        Decimal("0.001"),
        Decimal("1.005"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        "a lot",
        None,
    ],
)
def test_it_refuses_what_is_not_an_amount_it_can_write(amount):
    with pytest.raises(ValueError):
        rmb_upper(amount)


# An independent reader of capitals: it accepts only what the rules allow.

DIGIT = {c: n for n, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
UNIT = {"拾": 1, "佰": 2, "仟": 3}
GROUP = {"万": 1, "亿": 2}
DECIMAL = {"角": -1, "分": -2}


def _zero_is_optional(lower: int) -> bool:
    """A run of zeros that takes in the 万, 亿 or 元 place and ends before a 仟 or 角 place:
    the rules allow 零 or nothing (壹拾万柒仟, 壹仟陆佰捌拾元零叁角)."""
    return lower in (3, 7, -1)


def parse(text: str) -> tuple[Decimal, list]:
    """``text`` back to yuan, and its items: ("零",) or (place, digit), place 0 being 元.

    Raises ValueError for anything the rules do not allow: a bare 拾, a unit
    without a digit, places out of order, 零 missing in a gap or written where
    there is none, 整 with 角 or 分.
    """
    if not text.startswith("人民币"):
        raise ValueError("no 人民币")
    rest = text[3:]
    whole = rest.endswith("整")
    if whole:
        rest = rest[:-1]
    if "整" in rest:
        raise ValueError("整 inside")
    if rest == "零元":
        if not whole:
            raise ValueError("零元 without 整")
        return Decimal("0.00"), []
    if rest.count("元") > 1:
        raise ValueError("two 元")
    integer, _sep, fraction = rest.rpartition("元")
    if not _sep:
        integer, fraction = "", rest
    elif not integer:
        raise ValueError("元 without yuan")

    items: list = []
    pending: list = []  # the current group's items, places within the group
    groups_seen: list[int] = []
    digit = None

    def close_group(group: int) -> None:
        nonlocal digit
        if digit is not None:
            pending.append((0, digit))
            digit = None
        if group == 0 and not pending and items:
            return  # 伍万元: nothing between 万 and 元
        if not any(item != ("零",) for item in pending):
            raise ValueError("an empty group")
        if pending[-1] == ("零",):
            raise ValueError("零 before a group or 元")
        if groups_seen and group >= groups_seen[-1]:
            raise ValueError("groups out of order")
        groups_seen.append(group)
        items.extend(
            item if item == ("零",) else (group * 4 + item[0], item[1]) for item in pending
        )
        pending.clear()

    for char in integer:
        if char == "零":
            if digit is not None:
                raise ValueError("零 after a bare digit")
            pending.append(("零",))
        elif char in DIGIT:
            if digit is not None:
                raise ValueError("two digits in a row")
            digit = DIGIT[char]
        elif char in UNIT:
            if digit is None:
                raise ValueError(f"{char} without its digit")
            pending.append((UNIT[char], digit))
            digit = None
        elif char in GROUP:
            close_group(GROUP[char])
        else:
            raise ValueError(f"unexpected {char!r} in the yuan")
    if integer:
        close_group(0)

    for char in fraction:
        if char == "零":
            if digit is not None:
                raise ValueError("零 after a bare digit")
            items.append(("零",))
        elif char in DIGIT:
            if digit is not None:
                raise ValueError("two digits in a row")
            digit = DIGIT[char]
        elif char in DECIMAL:
            if digit is None:
                raise ValueError(f"{char} without its digit")
            items.append((DECIMAL[char], digit))
            digit = None
        else:
            raise ValueError(f"unexpected {char!r} after 元")
    if digit is not None:
        raise ValueError("a digit without 角 or 分")

    # The places, with the 零 between them.
    total = Decimal(0)
    previous = None  # the place of the last digit
    zero = False
    for item in items:
        if item == ("零",):
            if zero:
                raise ValueError("two 零")
            if previous is None:
                raise ValueError("零 first")
            zero = True
            continue
        place, value = item
        if value == 0:
            raise ValueError("零 as a digit with a unit")
        if previous is not None:
            if place >= previous:
                raise ValueError("places out of order")
            gap = place < previous - 1
            if zero and not gap:
                raise ValueError("零 where no zero is")
            if gap and not zero and not _zero_is_optional(place):
                raise ValueError("a zero inside the amount without 零")
        elif zero:
            raise ValueError("零 first")
        total += value * Decimal(10) ** place
        previous, zero = place, False
    if zero:
        raise ValueError("零 at the end")
    if bool(_sep) != (total >= 1):
        raise ValueError("元 exactly when there are yuan")
    has_fraction = any(item != ("零",) and item[0] < 0 for item in items)
    if whole == has_fraction:
        raise ValueError("整 exactly when there are no 角 and 分")
    return total.quantize(Decimal("0.01")), items


@pytest.mark.parametrize(
    "text",
    [
        "人民币拾伍元整",  # 壹拾 keeps its 壹
        "人民币壹仟玖元整",  # 零 missing
        "人民币壹仟零零玖元整",
        "人民币壹拾零元整",
        "人民币壹亿万零伍元整",
        "人民币壹万零元整",
        "人民币叁佰贰拾伍元肆分",  # 角 place zero, 零 missing
        "人民币叁仟元",
        "人民币壹仟肆佰零玖元伍角整整",
        "人民币伍角伍分整",
        "人民币零伍角",
        "人民币叁仟元零",
    ],
)
def test_the_reader_refuses_what_the_rules_do_not_allow(text):
    with pytest.raises(ValueError):
        parse(text)


@pytest.mark.parametrize(("amount", "text"), PUBLISHED + OURS)
def test_the_reader_reads_the_examples(amount, text):
    assert parse(text)[0] == Decimal(amount).quantize(Decimal("0.01"))


def test_the_reader_takes_what_the_rules_leave_optional():
    assert parse("人民币壹仟陆佰捌拾元叁角贰分")[0] == Decimal("1680.32")
    assert parse("人民币壹拾万零柒仟元整")[0] == Decimal("107000.00")


# Random amounts, and amounts with many zeros (where the rules are subtle).
many_zeros = st.lists(st.sampled_from("00000000123456789"), min_size=1, max_size=14).map(
    lambda digits: int("".join(digits))
)
fen = st.one_of(st.integers(0, 10**14 - 1), many_zeros)


@settings(max_examples=2000, database=None, deadline=None)
@given(fen)
def test_it_round_trips_and_keeps_the_rules(fen):
    amount = Decimal(fen).scaleb(-2)
    text = rmb_upper(amount)

    value, _items = parse(text)
    assert value == amount

    assert "零零" not in text
    if fen:  # 人民币零元整 is the one 零 before 元
        assert not re.search("零[元万亿]", text)
    assert not text.endswith("零")
    jiao, fen_digit = fen // 10 % 10, fen % 10
    assert text.endswith("整") == (jiao == 0 and fen_digit == 0)
    assert text.count("整") <= 1
    # 元 closes the yuan; an amount below one yuan has none (人民币伍角).
    assert ("元" in text) == (fen >= 100 or fen == 0)
