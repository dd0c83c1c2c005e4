"""The benchmark's commands refuse a database that is not a benchmark's or a test's."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


def test_it_refuses_the_developers_database(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "xiehui")
    with pytest.raises(CommandError, match="not a benchmark database"):
        call_command("seed_bench", "--tiny")
    with pytest.raises(CommandError, match="not a benchmark database"):
        call_command("bench_digest", "--subscribers", "1")
