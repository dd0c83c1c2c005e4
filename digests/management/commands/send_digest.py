"""Create a digest run and send it from this process, with progress; or count it (--dry-run)."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digests import selectors, services
from digests.models import DigestRun

LABELS = {"weekly": "周报 weekly digest", "monthly": "月报 monthly digest"}


class Command(BaseCommand):
    help = "Send the weekly or monthly digest now (or, with --dry-run, count what would be sent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--frequency",
            required=True,
            choices=DigestRun.Frequency.values,
            help="weekly or monthly",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count deliveries without writing or sending"
        )
        parser.add_argument(
            "--date",
            dest="scheduled_for",
            type=date.fromisoformat,
            help="the run's day, YYYY-MM-DD (default: today); its windows end at its midnight",
        )
        parser.add_argument(
            "--batch-size", type=int, default=settings.DIGEST_BATCH_SIZE, help="rows per batch"
        )

    def handle(self, *args, frequency, dry_run, scheduled_for, batch_size, **options):
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        scheduled_for = scheduled_for or today
        if scheduled_for > today:
            raise CommandError(f"{scheduled_for} has not happened yet · 日期不能晚于今天")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        label = f"{LABELS[frequency]} {scheduled_for:%Y-%m-%d}"

        if dry_run:
            due, with_news = selectors.digest_dry_run(
                frequency=frequency, scheduled_for=scheduled_for, batch_size=batch_size
            )
            self.stdout.write(
                f"{label}（试运行 dry run）：将创建 {due} 份投递，其中 {with_news} 份有新内容、"
                f"将发送邮件，{due - with_news} 份无新内容、不发送。\n"
                f"{label} (dry run): {due} deliveries would be created; {with_news} have "
                f"something new and would be emailed, {due - with_news} have nothing new."
            )
            return

        run = services.digest_run_create(frequency=frequency, scheduled_for=scheduled_for)
        pending = run.deliveries.filter(status__in=["queued", "sending"]).count()
        self.stdout.write(f"{label}：待处理 {pending} 份 · {pending} deliveries to process")

        def progress(counts: services.SendCounts) -> None:
            later = f"，暂缓 {counts.deferred}" if counts.deferred else ""
            self.stdout.write(
                f"已处理 {counts.done}/{counts.pending}（发送 {counts.sent}，无新内容 "
                f"{counts.skipped}，失败 {counts.failed}{later}）· processed "
                f"{counts.done}/{counts.pending} ({counts})"
            )

        try:
            counts = services.digest_run_send(
                run_id=run.pk, batch_size=batch_size, progress=progress
            )
        except services.DigestSendDeferred as exc:
            raise CommandError(
                f"邮件服务器暂时拒收，未发送的投递已放回队列，请稍后重试 · the mail server said "
                f"'later'; unsent deliveries are queued again, run the command again later ({exc})"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：发送 {counts.sent}，无新内容 {counts.skipped}，失败 {counts.failed} · "
                f"done: {counts}"
            )
        )
        if counts.deferred:
            self.stdout.write(
                self.style.WARNING(
                    f"{counts.deferred} 份被邮件服务器暂缓（4xx），已放回队列，稍后再运行本命令 · "
                    f"{counts.deferred} refused for now (4xx) and queued again: run the command "
                    f"again later"
                )
            )
