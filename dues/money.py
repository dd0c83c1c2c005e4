"""Amounts of money in Chinese capitals (中文大写金额), as receipts and invoices write them.

The rules (中国人民银行《支付结算办法》附件《正确填写票据和结算凭证的基本规定》):
- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, groups 万 and 亿, then 元角分;
- the amount starts with 人民币; 整 (or 正) follows 元 when there are no 角 and
  分; after 角 it may be left out, and is (人民币壹仟肆佰零玖元伍角, the rules'
  own example); nothing follows 分;
- one 零 stands for any run of zeros inside the integer part, also across a
  group (壹万零伍拾元); a group of zeros says nothing (壹亿零伍元, not 壹亿万零伍元);
- a zero in the 个 place before 角 (壹仟陆佰捌拾元零叁角贰分), and no 角 between
  元 and 分 (叁佰贰拾伍元零肆分), are written with 零;
- 壹拾 keeps its 壹 (壹拾伍元, not 拾伍元), as a figure may not be altered;
- an amount below one yuan has no 元: 人民币伍角, 人民币陆分.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿")
LIMIT = Decimal(10) ** 12


def _group(number: int) -> str:
    """A number 1–9999 in capitals, with 零 for zeros inside it (not at its end)."""
    text = ""
    zero = False
    for power in range(3, -1, -1):
        digit = number // 10**power % 10
        if digit == 0:
            zero = bool(text)
        else:
            if zero:
                text += "零"
                zero = False
            text += DIGITS[digit] + UNITS[power]
    return text


def _integer(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text = ""
    zero = False  # zeros were passed since the last digit written
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(text)
            continue
        if text and (zero or group < 1000):
            text += "零"
        text += _group(group) + GROUPS[index]
        zero = False
    return text


def rmb_upper(amount: Decimal) -> str:
    """``amount`` (0 ≤ amount < 10¹², at most two decimals) in capitals: 人民币叁仟元整."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if not value.is_finite() or value < 0 or value >= LIMIT:
        raise ValueError(f"{amount} is outside 0 to 10^12")
    if value != value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ValueError(f"{amount} has more than two decimals")
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "人民币零元整"
    text = "人民币"
    if yuan:
        text += _integer(yuan) + "元"
    if jiao:
        if yuan and yuan % 10 == 0:
            text += "零"
        text += DIGITS[jiao] + "角"
    elif yuan and fen:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    elif not jiao:
        text += "整"
    return text
