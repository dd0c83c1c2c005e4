"""manage.py import_members and export_members: the round trip, the report, the exit code."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from members.models import Company, Contact
from tests.members import member_lists as lists

pytestmark = pytest.mark.django_db


def test_it_exports_the_demo_members_and_imports_them_back_unchanged(tmp_path, capsys):
    call_command("load_demo")
    companies = Company.objects.count()
    assert companies and Contact.objects.exists()
    exported = tmp_path / "members.xlsx"
    report = tmp_path / "report.json"

    call_command("export_members", str(exported))
    call_command("import_members", str(exported), "--report", str(report))

    assert json.loads(report.read_text(encoding="utf-8")) == {
        "created": 0,
        "updated": 0,
        "unchanged": companies,
        "errors": [],
    }
    assert "新增 0 created, 更新 0 updated" in capsys.readouterr().out


def test_a_company_with_two_contacts_exports_two_rows_that_import_back_unchanged(tmp_path):
    lists.existing_members(lists.members(30, errors=False))
    company = Company.objects.first()
    second = lists.member(99)
    Contact.objects.create(
        user=User.objects.create_user(second.contact_email, None, name="第二联系人"),
        company=company,
        job_title="财务",
    )
    exported = tmp_path / "members.xlsx"
    report = tmp_path / "report.json"

    call_command("export_members", str(exported))
    call_command("import_members", str(exported), "--report", str(report))

    content = json.loads(report.read_text(encoding="utf-8"))
    assert (content["created"], content["updated"], content["unchanged"]) == (0, 0, 30)
    assert Contact.objects.count() == 31


def test_it_reports_the_errors_writes_nothing_and_exits_1(tmp_path, capsys):
    lists.existing_members([])
    path = tmp_path / "members.csv"
    path.write_bytes(lists.gbk_csv(lists.members(500)))
    report = tmp_path / "report.json"

    with pytest.raises(CommandError) as refused:
        call_command("import_members", str(path), "--report", str(report))

    assert refused.value.returncode == 1  # manage.py's exit status
    content = json.loads(report.read_text(encoding="utf-8"))
    assert set(content) == {"created", "updated", "unchanged", "errors"}
    assert (content["created"], content["updated"], content["unchanged"]) == (0, 0, 0)
    assert {(e["row"], e["column"]) for e in content["errors"]} == lists.expected_errors()
    assert all(set(e) == {"row", "column", "message"} and e["message"] for e in content["errors"])
    assert "6 处错误" in str(refused.value)
    assert "第 104 行 row 104 [统一社会信用代码]" in capsys.readouterr().err
    assert not Company.objects.exists()


def test_a_dry_run_counts_and_writes_nothing(tmp_path):
    lists.existing_members([])
    path = tmp_path / "members.xlsx"
    path.write_bytes(lists.xlsx(lists.members(20, errors=False)))
    report = tmp_path / "report.json"

    call_command(
        "import_members", str(path), "--dry-run", "--sheet", "会员名单", "--report", str(report)
    )

    assert json.loads(report.read_text(encoding="utf-8"))["created"] == 20
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\n", "该文件不是电子表格"),
        ("姓名,电话\n张三,13800138000\n".encode("gbk"), "缺少“单位名称”列"),
        (b"", "文件为空。"),
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_one_message(tmp_path, content, message):
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    report = tmp_path / "report.json"

    with pytest.raises(CommandError, match=message):
        call_command("import_members", str(path), "--report", str(report))

    errors = json.loads(report.read_text(encoding="utf-8"))["errors"]
    assert len(errors) == 1 and message in errors[0]["message"]
    assert not Company.objects.exists()


def test_it_names_a_missing_sheet(tmp_path):
    path = tmp_path / "members.xlsx"
    path.write_bytes(lists.xlsx(lists.members(2, errors=False)))

    with pytest.raises(CommandError, match="工作簿中没有名为“名单”的工作表"):
        call_command("import_members", str(path), "--sheet", "名单")
