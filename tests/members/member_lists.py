"""Member lists as secretariats write them, for the importer's tests: GBK CSV and XLSX."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from accounts.models import User
from members.importing import MEMBER_COLUMNS
from members.models import City, Company, Contact, CouncilSeat, IndustrySegment, SeatRole, Term
from tests.accounts.builders import credit_code

TITLE = "浙江省仪器仪表行业协会会员名单（2026年）"
EXISTING = 50  # the first companies of a list are members already
CHANGED = 10  # of which the list gives a new address
SEGMENTS = ("工业自动化仪表", "科学仪器")
BAD_CHECKSUM, BAD_PHONE, BAD_EMAIL, UNKNOWN_CITY = 100, 200, 300, 400
DUPLICATE = (450, 451)  # the same credit code twice
FORMULA_ROW = 7  # its 简称 is a formula in the xlsx


@dataclass
class Member:
    index: int
    name: str
    short_name: str
    code: str
    city: str  # the label as written
    industry: str
    address: str
    phone: str
    email: str
    joined_on: date
    role: SeatRole
    contact: str
    title: str
    mobile: str
    contact_email: str


def member(index: int) -> Member:
    return Member(
        index=index,
        name=f"浙江测试仪表{index:03d}号有限公司",
        short_name=f"测试{index:03d}",
        code=credit_code(1000 + index),
        city=("杭州市", "宁波", "温州市", "省外")[index % 4],
        industry=SEGMENTS[index % 2],
        address=f"杭州市滨江区测试路{index}号",
        phone=f"0571-8{index:07d}",
        email=f"info{index}@test{index}.com",
        joined_on=date(2015 + index % 10, 1 + index % 12, 1 + index % 28),
        role=(SeatRole.COUNCIL, SeatRole.MEMBER)[index % 2],
        contact=f"联系人{index}",
        title="办公室主任",
        mobile=f"139{index:08d}",
        contact_email=f"contact{index}@test{index}.com",
    )


def members(count: int = 500, *, errors: bool = True) -> list[Member]:
    found = [member(index) for index in range(count)]
    if errors:
        for index, bad in ((BAD_PHONE, "12345"), (BAD_EMAIL, "not-an-email")):
            if index < count:
                if index == BAD_PHONE:
                    found[index].phone = bad
                else:
                    found[index].email = bad
        if count > BAD_CHECKSUM:
            code = found[BAD_CHECKSUM].code
            found[BAD_CHECKSUM].code = code[:17] + ("0" if code[17] != "0" else "1")
        if count > UNKNOWN_CITY:
            found[UNKNOWN_CITY].city = "火星市"
        if DUPLICATE[1] < count:
            found[DUPLICATE[1]].code = found[DUPLICATE[0]].code
    return found


def existing_members(found: list[Member]) -> None:
    """The term, the segments and the first EXISTING companies as the list has them."""
    term = Term.objects.create(ordinal=7, name="第七届理事会", is_current=True)
    segments = {
        name: IndustrySegment.objects.create(name=name, order=order)
        for order, name in enumerate(SEGMENTS)
    }
    cities = {
        "杭州市": City.HANGZHOU,
        "宁波": City.NINGBO,
        "温州市": City.WENZHOU,
        "省外": City.OTHER,
    }
    for m in found[:EXISTING]:
        company = Company.objects.create(
            name=m.name,
            short_name=m.short_name,
            credit_code=m.code,
            city=cities[m.city],
            industry=segments[m.industry],
            address=m.address if m.index >= CHANGED else "旧地址",
            phone=m.phone,
            public_email=m.email,
            joined_on=m.joined_on,
        )
        CouncilSeat.objects.create(term=term, company=company, role=m.role)
        user = User.objects.create_user(m.contact_email, None, name=m.contact)
        Contact.objects.create(
            user=user, company=company, job_title=m.title, phone=m.mobile, is_primary=True
        )


def file_row(index: int) -> int:
    """The row of member ``index`` in the files: a title, the header, an empty row each 100."""
    return 3 + index + index // 100


def expected_errors() -> set[tuple[int, str]]:
    return {
        (file_row(BAD_CHECKSUM), "统一社会信用代码"),
        (file_row(BAD_PHONE), "电话"),
        (file_row(BAD_EMAIL), "邮箱"),
        (file_row(UNKNOWN_CITY), "城市"),
        (file_row(DUPLICATE[0]), "统一社会信用代码"),
        (file_row(DUPLICATE[1]), "统一社会信用代码"),
    }


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def csv_cells(m: Member) -> list[str]:
    i = m.index
    name, code, phone, mobile = m.name, m.code, m.phone, m.mobile
    joined = m.joined_on.isoformat()
    if i >= EXISTING:
        if i % 5 == 1:
            code, phone = code.translate(FULL_WIDTH), phone.translate(FULL_WIDTH)
        if i % 7 == 2:
            mobile = f"{int(mobile):.10E}"  # 1.3900000052E+10, as Excel shows a long number
        if i % 3 == 0:
            joined = str((m.joined_on - date(1899, 12, 30)).days)  # an Excel serial
        elif i % 3 == 1:
            joined = f"{m.joined_on.year}/{m.joined_on.month}/{m.joined_on.day}"
        else:
            joined = f"{m.joined_on.year}年{m.joined_on.month}月{m.joined_on.day}日"
    if i % 11 == 3:
        name = name + "  \u3000"
    return [
        name,
        m.short_name,
        "",
        code,
        m.city,
        m.industry + " ",
        m.address,
        "",
        phone,
        m.email,
        joined,
        ROLE_LABELS[m.role],
        m.contact,
        m.title,
        mobile,
        m.contact_email,
    ]


ROLE_LABELS = {SeatRole.COUNCIL: "理事单位", SeatRole.MEMBER: "会员单位"}


def gbk_csv(found: list[Member]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([TITLE] + [""] * 15)
    writer.writerow(["单位", *MEMBER_COLUMNS[1:]])  # a header variant
    for m in found:
        if m.index and m.index % 100 == 0:
            writer.writerow([""] * 16)
        writer.writerow(csv_cells(m))
    return out.getvalue().encode("gbk")


def xlsx(found: list[Member]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "会员名单"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=16)
    sheet.append(["企业名称", *MEMBER_COLUMNS[1:]])
    formula_cell = None
    for m in found:
        if m.index and m.index % 100 == 0:
            sheet.append([])
        cells: list = csv_cells(m)
        i = m.index
        if i >= EXISTING:
            if i % 5 == 2:
                cells[14] = int(m.mobile)  # a number cell
            if i % 5 == 3:
                cells[14] = float(m.mobile)
            if i % 3 == 0:
                cells[10] = (m.joined_on - date(1899, 12, 30)).days  # a serial, unformatted
            elif i % 3 == 1:
                cells[10] = m.joined_on  # a date cell
        if i == FORMULA_ROW:
            cells[1] = f'="测试"&"{i:03d}"'
        sheet.append(cells)
        if i == FORMULA_ROW:
            formula_cell = sheet.cell(row=sheet.max_row, column=2).coordinate
    out = io.BytesIO()
    book.save(out)
    if formula_cell is None:
        return out.getvalue()
    return with_cached_value(out.getvalue(), formula_cell, f"测试{FORMULA_ROW:03d}")


def with_cached_value(data: bytes, coordinate: str, value: str) -> bytes:
    """The workbook with the formula at ``coordinate`` given the value Excel would store."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text, count = re.subn(
                    rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                    rf'<c r="{coordinate}" t="str"><f>\2</f><v>{value}</v>',
                    text,
                )
                assert count == 1, text[:2000]
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()
