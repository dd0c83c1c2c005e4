"""manage.py export_members FILE.xlsx: every company in the import template's columns.

One row per contact (primary first), company columns repeated; a company
without contacts has one row. The file imports back unchanged (import_members).
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from members.importing import members_xlsx
from members.models import Company


class Command(BaseCommand):
    help = "Export all member companies with their contacts and seats to an xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args, file: str, **options):
        companies = Company.objects.order_by("name")
        Path(file).write_bytes(members_xlsx(companies))
        self.stdout.write(f"已导出 {companies.count()} 家会员单位 / companies exported to {file}")
