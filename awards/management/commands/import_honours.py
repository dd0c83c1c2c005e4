"""manage.py import_honours FILE [--sheet NAME] [--dry-run] [--verified].

Reads a list of honours (xlsx or csv: awards.importing), previews it and, when
no row has an error, writes the new honours in one transaction; with any error
nothing is written, the errors are printed and the command exits with status 1.
``--verified`` marks the new honours verified (shown to the public): for an
official list, at the secretariat's decision.
"""

from django.core.management.base import BaseCommand, CommandError

from awards.importing import honours_apply, honours_preview, read_honour_rows
from members.importing import ImportFileError, ImportRefused
from portal.audit import Source, audit_source


class Command(BaseCommand):
    help = "Import honours of member companies from an xlsx or csv list."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the list of honours, .xlsx or .csv")
        parser.add_argument("--sheet", help="the workbook's sheet to read (else the first)")
        parser.add_argument("--dry-run", action="store_true", help="preview only, write nothing")
        parser.add_argument(
            "--verified", action="store_true", help="mark the new honours verified (public)"
        )

    def handle(self, *args, file: str, sheet, dry_run: bool, verified: bool, **options):
        try:
            preview = honours_preview(read_honour_rows(file, sheet=sheet))
        except (ImportFileError, OSError) as error:
            raise CommandError(str(error)) from None
        for error in preview.errors:
            self.stderr.write(
                f"第 {error.row} 行 row {error.row} [{error.column}]: {error.message}"
            )
        if preview.has_errors:
            count = len(preview.errors)
            raise CommandError(f"{count} 处错误，未导入任何内容 / {count} errors: nothing imported")
        for name in preview.new_awards:
            self.stdout.write(f"新奖项 new award: {name}")
        created, unchanged = preview.created, preview.unchanged
        if not dry_run:
            try:
                with audit_source(Source.IMPORT):
                    result = honours_apply(preview, by=None, verified=verified)
            except ImportRefused as error:
                raise CommandError(str(error)) from None
            created, unchanged = result.created, result.unchanged
        verb = "将" if dry_run else "已"
        self.stdout.write(
            f"{verb}新增 {created} created, 未变 {unchanged} unchanged"
            + (" (dry run: nothing written)" if dry_run else "")
        )
