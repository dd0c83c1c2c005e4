"""Fill the database with synthetic Chinese content for the benchmarks, in bulk.

    python manage.py seed_bench                 # 5,000 companies, 100,000 articles …
    python manage.py seed_bench --tiny          # a few hundred rows, for tests
    python manage.py seed_bench --articles 20000 --force

Meant for a database of its own (``make bench`` uses ``xiehui_bench``): it
empties the tables of members, bulletin, events, awards and digests first.
A database that already holds a complete load of the same scale is reused.
"""

import json
import os
from dataclasses import fields

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench.progress import ProgressBar
from bench.seed import (
    Loader,
    Progress,
    Scale,
    check_database,
    is_loaded,
    loaded_counts,
    stored_load,
)


class Command(BaseCommand):
    help = "Fill the database with synthetic content at a chosen scale (for make bench)."

    def add_arguments(self, parser):
        defaults = Scale()
        for field in fields(Scale):
            parser.add_argument(
                f"--{field.name.replace('_', '-')}",
                type=int,
                default=None,
                help=f"default {getattr(defaults, field.name):,}",
            )
        parser.add_argument("--tiny", action="store_true", help="a tiny scale, for tests")
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes that build the articles (default: one per core)",
        )
        parser.add_argument("--force", action="store_true", help="load even if already loaded")
        parser.add_argument("--output", help="write what was done, as JSON, to this file")

    def handle(self, *args, tiny, workers, force, output, **options):
        base = Scale.tiny() if tiny else Scale()
        changes = {
            field.name: options[field.name]
            for field in fields(Scale)
            if options.get(field.name) is not None
        }
        scale = Scale(**{**base.as_dict(), **changes})
        if scale.companies < 25 or scale.issues < 2 or scale.articles < scale.issues:
            raise CommandError("Use at least 25 companies, 2 issues and an article per issue.")
        try:
            database = check_database()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        if not force and is_loaded(scale):
            earlier = stored_load()
            self.stdout.write(
                f"{database}: already holds this scale (loaded {earlier['seeded_at']} in "
                f"{earlier['timings'].get('total', 0):.1f} s), reusing it."
            )
            self._report(
                output,
                scale,
                reused=True,
                timings=earlier["timings"],
                seeded_at=earlier["seeded_at"],
            )
            return

        bar = ProgressBar(self.stderr._out)

        def progress(step: Progress) -> None:
            bar.update(step.fraction, step.phase, step.done, step.total)

        self.stdout.write(
            f"{database}: loading {scale.companies:,} companies, {scale.articles:,} articles "
            f"in {scale.issues} issues, {scale.events:,} events, {scale.honours:,} honours, "
            f"{scale.subscribers:,} subscribers ({workers} workers)"
        )
        try:
            timings = Loader(scale, workers=workers, report=progress).run()
        finally:
            bar.close()
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded in {timings['total']:.1f} s ({phases})"))
        self._report(output, scale, reused=False, timings=timings)

    def _report(
        self, path, scale: Scale, *, reused: bool, timings: dict, seeded_at: str | None = None
    ) -> None:
        if not path:
            return
        data = {
            "scale": scale.as_dict(),
            "reused": reused,
            "seeded_at": seeded_at or timezone.now().isoformat(timespec="seconds"),
            "timings": timings,
            "counts": loaded_counts(),
        }
        with open(path, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
