from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bulletin.parsing import BulletinFormatError
from bulletin.services import bulletin_import


class Command(BaseCommand):
    help = (
        "Import one bulletin issue from the plain text of its PDF: sections, articles, "
        "subtitles and sources. Importing the same issue again updates it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="UTF-8 text extracted from the PDF")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--number", type=int, required=True, help="number within the year")
        parser.add_argument(
            "--toc",
            type=Path,
            help="table of contents, one article a line: section<TAB>title<TAB>subtitle "
            "(default: PATH with .toc.txt in place of .txt, when it exists)",
        )
        parser.add_argument("--title", default="", help="issue title")
        parser.add_argument(
            "--published-on", type=date.fromisoformat, help="publication date, YYYY-MM-DD"
        )

    def handle(self, *args, path: Path, year: int, number: int, toc: Path | None, **options):
        text = self._read(path)
        if toc is None:
            default_toc = path.with_name(path.name.removesuffix(".txt") + ".toc.txt")
            toc = default_toc if default_toc.exists() else None
        toc_text = self._read(toc) if toc else None
        try:
            result = bulletin_import(
                text=text,
                year=year,
                number=number,
                toc=toc_text,
                title=options["title"],
                published_on=options["published_on"],
            )
        except BulletinFormatError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.issue}：{len(result.articles)} 篇文章（新增 {result.created}，"
                f"更新 {result.updated}）/ {len(result.articles)} articles "
                f"({result.created} new, {result.updated} updated)"
            )
        )

    def _read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"找不到文件 / file not found: {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"文件不是 UTF-8 文本 / not UTF-8 text: {path}") from None
