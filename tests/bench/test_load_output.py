"""Reading wrk's and ab's reports."""

from bench.load import parse_ab, parse_wrk

WRK = """Running 10s test @ http://127.0.0.1:8000/news/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.01ms  51.20ms   80.12%
    Req/Sec   650.10     40.22   720.00     70.00%
  Latency Distribution
     50%   11.90ms
     75%   13.52ms
     90%   15.86ms
     99%    1.02s
  12960 requests in 10.01s, 210.63MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1294.72
Transfer/sec:     21.04MB
"""

AB = """Concurrency Level:      16
Time taken for tests:   10.001 seconds
Complete requests:      23456
Failed requests:        0
Non-2xx responses:      3
Requests per second:    2345.32 [#/sec] (mean)

Percentage of the requests served within a certain time (ms)
  50%      6
  66%      7
  99%     19
 100%     40 (longest request)
"""


def test_it_reads_wrk():
    result = parse_wrk(WRK, 10)
    assert result.requests == 12960
    assert result.requests_per_second == 1294.7
    assert result.p50_ms == 11.9
    assert result.p99_ms == 1020.0
    assert result.errors == 7
    assert result.seconds == 10.01


def test_it_reads_wrk_without_any_answer():
    output = WRK.replace("12960 requests", "0 requests").replace("1294.72", "0.00")
    result = parse_wrk(output, 10)
    assert result.requests == 0
    assert result.p50_ms is None


def test_it_reads_ab():
    result = parse_ab(AB)
    assert result.requests == 23456
    assert result.requests_per_second == 2345.3
    assert (result.p50_ms, result.p99_ms) == (6.0, 19.0)
    assert result.errors == 3
