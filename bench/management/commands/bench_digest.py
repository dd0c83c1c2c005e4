"""Measure the digest (or its floor) in this process; see bench/digest.py.

    python manage.py bench_digest --subscribers 10000
    python manage.py bench_digest --floor --subscribers 10000

Writes to the database in DATABASE_URL (digest runs, subscribers' last
digest): run it on the benchmark's database only.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from bench.digest import measure_digest, measure_floor
from bench.seed import check_database


class Command(BaseCommand):
    help = "Time a weekly digest to N subscribers (or the floor: N pre-rendered messages)."

    def add_arguments(self, parser):
        parser.add_argument("--subscribers", type=int, default=10_000)
        parser.add_argument(
            "--floor", action="store_true", help="send pre-rendered copies over one connection"
        )
        parser.add_argument("--output", help="write the results, as JSON, to this file")

    def handle(self, *args, subscribers, floor, output, **options):
        try:
            check_database()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        if floor:
            result = measure_floor(subscribers)
            self.stdout.write(
                f"floor: {result['sent']:,} messages of {result['message_bytes']:,} bytes "
                f"in {result['seconds']} s ({result['messages_per_second']}/s)"
            )
        else:
            result = measure_digest(subscribers)
            self.stdout.write(
                f"digest: {result['sent']:,} sent, {result['skipped']:,} skipped in "
                f"{result['seconds']} s ({result['messages_per_second']}/s), "
                f"peak memory {result['peak_memory_mb']} MB"
            )
        if output:
            with open(output, "w", encoding="utf-8") as file:
                json.dump(result, file, indent=2)
