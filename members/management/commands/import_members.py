"""manage.py import_members FILE [--sheet NAME] [--dry-run] [--report REPORT.json].

Reads a member list (xlsx or csv, the template's columns: members.importing),
previews it and, when no row has an error, writes it in one transaction. With
any error nothing is written, the errors are printed (and reported) and the
command exits with status 1. No mail is sent.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.importing import (
    ImportFileError,
    ImportRefused,
    import_apply,
    import_preview,
    read_rows,
)
from portal.audit import Source, audit_source


class Command(BaseCommand):
    help = "Import member companies, their contacts and council seats from an xlsx or csv list."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the member list, .xlsx or .csv")
        parser.add_argument("--sheet", help="the workbook's sheet to read (else the first)")
        parser.add_argument("--dry-run", action="store_true", help="preview only, write nothing")
        parser.add_argument("--report", help="write the counts and errors to this JSON file")

    def handle(self, *args, file: str, sheet: str | None, dry_run: bool, report, **options):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        try:
            preview = import_preview(read_rows(file, sheet=sheet))
        except (ImportFileError, OSError) as error:
            message = str(error)
            self._report(
                report, {**counts, "errors": [{"row": None, "column": "", "message": message}]}
            )
            raise CommandError(message) from None
        errors = [error.as_dict() for error in preview.errors]
        for error in preview.errors:
            self.stderr.write(
                f"第 {error.row} 行 row {error.row} [{error.column}]: {error.message}"
            )
        if errors:
            self._report(report, {**counts, "errors": errors})
            raise CommandError(
                f"{len(errors)} 处错误，未导入任何内容 / {len(errors)} errors: nothing imported"
            )
        counts = {
            "created": preview.created,
            "updated": preview.updated,
            "unchanged": preview.unchanged,
        }
        if not dry_run:
            try:
                with audit_source(Source.IMPORT):
                    result = import_apply(preview, by=None)
            except ImportRefused as error:
                message = str(error)
                self._report(
                    report, {**counts, "errors": [{"row": None, "column": "", "message": message}]}
                )
                raise CommandError(message) from None
            counts = {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        self._report(report, {**counts, "errors": [], **({"dry_run": True} if dry_run else {})})
        verb = "将" if dry_run else "已"
        self.stdout.write(
            f"{verb}新增 {counts['created']} created, 更新 {counts['updated']} updated, "
            f"未变 {counts['unchanged']} unchanged"
            + (" (dry run: nothing written)" if dry_run else "")
        )

    def _report(self, path: str | None, content: dict) -> None:
        if path:
            Path(path).write_text(
                json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8"
            )
