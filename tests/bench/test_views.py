"""The floor and the layout views exist for the benchmark only."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from bench.views import MAX_QUERIES, MAX_SIZE, QUERIES_SIZE, floor, queries


def test_it_is_not_routed_unless_benchmarking():
    # settings.BENCH_FLOOR is false outside make bench: no such address.
    with pytest.raises(Resolver404):
        resolve("/bench/floor/100/")
    with pytest.raises(Resolver404):
        resolve("/bench/layout/")
    with pytest.raises(Resolver404):
        resolve("/bench/queries/5/")


def test_it_answers_with_the_bytes_asked_for():
    response = floor(RequestFactory().get("/bench/floor/12345/"), 12345)
    assert response.status_code == 200
    assert len(response.content) == 12345
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_it_refuses_huge_sizes():
    with pytest.raises(Http404):
        floor(RequestFactory().get("/"), MAX_SIZE + 1)


@pytest.mark.django_db
def test_the_queries_reference_runs_as_many_queries_as_asked(django_assert_num_queries):
    with django_assert_num_queries(5):
        response = queries(RequestFactory().get("/bench/queries/5/"), 5)
    assert len(response.content) == QUERIES_SIZE
    with pytest.raises(Http404):
        queries(RequestFactory().get("/"), MAX_QUERIES + 1)
