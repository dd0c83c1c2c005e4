from django.core.management.base import BaseCommand, CommandError

from demo.services import DemoContentError, demo_load

# (key in DemoSummary.counts, label)
KINDS = (
    ("articles", "会刊文章 / articles"),
    ("segments", "行业分类 / industry segments"),
    ("companies", "会员单位 / companies"),
    ("terms", "理事会届次 / terms"),
    ("seats", "理事会席位 / council seats"),
    ("officers", "协会负责人 / officers"),
    ("article_links", "文章-会员关联 / article–company links"),
    ("events", "活动 / events"),
    ("agenda_items", "活动议程 / agenda items"),
    ("co_organiser_links", "协办单位关联 / co-organiser links"),
    ("awards", "奖项 / awards"),
    ("honours", "荣誉 / honours"),
    ("dues", "会费标准与账单 / fees and dues bills"),
    ("notices", "通知公告、发送与回执 / notices, mailings and replies"),
    ("documents", "协会文件 / documents"),
    ("door", "签到演示活动、议程与报名 / check-in demo event, agenda and registrations"),
    ("pages", "简介页面 / about pages"),
    ("users", "演示账号与联系人 / demo users and contacts"),
)


class Command(BaseCommand):
    help = (
        "Load the association's bulletin 2022年第11期 as demo content, with the members, "
        "council, events and honours it states, dues, notices and documents, and a demo "
        "admin and contact. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="set the demo accounts' passwords again (from DEMO_ADMIN_PASSWORD / "
            "DEMO_CONTACT_PASSWORD, else the fixed demo defaults)",
        )

    def handle(self, *args, reset_passwords: bool, **options):
        try:
            summary = demo_load(stdout=self.stdout, reset_passwords=reset_passwords)
        except (DemoContentError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc

        self.stdout.write(
            self.style.SUCCESS(f"已载入演示内容 / demo content loaded: {summary.issue}")
        )
        for key, label in KINDS:
            tally = summary.counts.get(key)
            if tally is None:
                continue
            self.stdout.write(
                f"  {label}: 新增 {tally.created} created, 更新 {tally.updated} updated, "
                f"未变 {tally.unchanged} unchanged"
            )

        self.stdout.write("")
        self.stdout.write("演示登录 / demo logins:")
        defaults_used = False
        for login in summary.logins:
            if login.password is None:
                password = (
                    "（已有账号，密码未改 / existing account, password kept; --reset-passwords）"
                )
            else:
                password = login.password
                defaults_used = defaults_used or not login.password_from_environment
            self.stdout.write(f"  {login.role}: {login.email}  密码 password: {password}")
        if defaults_used:
            self.stdout.write(
                self.style.WARNING(
                    "  以上为本地演示用的固定密码，请勿用于生产环境。/ Fixed passwords for a "
                    "local demo only; set DEMO_ADMIN_PASSWORD / DEMO_CONTACT_PASSWORD otherwise."
                )
            )
        self.stdout.write("")
        self.stdout.write(
            "说明：演示内容取自浙江省仪器仪表行业协会公开发行的会刊（2022年第11期），仅作示例数据。\n"
            "Note: the content is the association's public bulletin (2022 no. 11), used as "
            "sample data."
        )
