"""manage.py dues_bills --year 2027 --due 2027-03-31 [--dry-run]: make the year's bills."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dues import services
from dues.templatetags.money import yuan


class Command(BaseCommand):
    help = "Make the dues bills of a year (one per active company with a current seat)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--due", required=True, help="the due date, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="count, make nothing")

    def handle(self, *args, year: int, due: str, dry_run: bool, **options):
        try:
            due_on = date.fromisoformat(due)
        except ValueError:
            raise CommandError(f"--due {due!r} is not a date such as 2027-03-31") from None
        try:
            plan = services.dues_bills_plan(year=year, due_on=due_on)
            if not dry_run:
                bills = services.dues_bills_create(year=year, due_on=due_on)
                plan = services.BillPlan(bills, plan.skipped)
        except services.DuesError as error:
            raise CommandError(" ".join(error.messages)) from None
        for company, why in plan.skipped:
            self.stderr.write(f"skipped {company.name}: {why}")
        verb = "would make" if dry_run else "made"
        self.stdout.write(f"{verb} {len(plan.bills)} bills for {year}, {yuan(plan.total)} in all")
