"""The member list in and out of Excel, in a real browser: template, two rows, preview, confirm."""

import io

import openpyxl
import pytest

from demo.services import ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from members.credit_code import check_character
from members.importing import MEMBER_COLUMNS
from members.models import Company

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code(first17: str) -> str:
    return first17 + check_character(first17)


def test_the_secretariat_imports_two_rows_and_exports_the_filtered_list(
    browser, live_server, demo_site, tmp_path
):
    tab = browser.new_context(
        locale="zh-CN", base_url=live_server.url, accept_downloads=True
    ).new_page()
    tab.goto("/admin/login/")
    tab.fill("#id_username", ADMIN_EMAIL)
    tab.fill("#id_password", DEFAULT_ADMIN_PASSWORD)
    tab.locator("#login-form input[type=submit]").click()
    tab.wait_for_url("**/admin/")

    # The template, downloaded from the company list, filled in with two rows.
    tab.goto("/admin/members/company/")
    with tab.expect_download() as download:
        tab.locator("a[href$='/admin/members/company/import/template/']").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    assert tuple(cell.value for cell in sheet[1]) == MEMBER_COLUMNS
    sheet.delete_rows(2)  # the sample row
    column = {name: index for index, name in enumerate(MEMBER_COLUMNS)}
    for name, credit, contact_email in (
        ("湖州新仪表科技有限公司", code("91330500MA0000001"), "li@huzhou.example.com"),
        ("嘉兴新传感器有限公司", code("91330400MA0000002"), "wang@jiaxing.example.com"),
    ):
        row = [None] * len(MEMBER_COLUMNS)
        row[column["单位名称"]] = name
        row[column["统一社会信用代码"]] = credit
        row[column["城市"]] = "湖州市" if "湖州" in name else "嘉兴"
        row[column["届内职务"]] = "会员单位"
        row[column["联系人"]] = "联络员"
        row[column["手机"]] = "13900001111"
        row[column["联系人邮箱"]] = contact_email
        sheet.append(row)
    filled = tmp_path / "两家新会员.xlsx"
    workbook.save(filled)

    # Upload, preview, confirm.
    tab.locator("a[href$='/admin/members/company/import/']").click()
    tab.set_input_files("#id_file", str(filled))
    tab.locator("input[type=submit]").click()
    preview = tab.locator("#content-main").inner_text()
    assert "湖州新仪表科技有限公司" in preview and "嘉兴新传感器有限公司" in preview
    assert not Company.objects.filter(name="湖州新仪表科技有限公司").exists()
    tab.locator("input[value='导入这些变更']").click()
    tab.wait_for_url("**/admin/members/company/")
    assert "新增 2 家" in tab.locator(".messagelist").inner_text()
    assert (
        Company.objects.filter(name__in=["湖州新仪表科技有限公司", "嘉兴新传感器有限公司"]).count()
        == 2
    )

    # The company list filtered to 湖州, exported, opened with openpyxl.
    tab.goto("/admin/members/company/?city=huzhou")
    with tab.expect_download() as download:
        tab.locator("a.export-xlsx").click()
    exported = tmp_path / "export.xlsx"
    download.value.save_as(exported)
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.read_bytes())).active.values)
    assert rows[0][0] == "单位名称"
    names = {row[0] for row in rows[1:]}
    assert "湖州新仪表科技有限公司" in names
    assert "嘉兴新传感器有限公司" not in names
