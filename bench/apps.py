from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks: synthetic data (seed_bench), in-process measurements, the floor view."""

    name = "bench"
    verbose_name = "Benchmarks"
