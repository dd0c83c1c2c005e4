"""The client's address behind nginx: X-Forwarded-For believed for TRUSTED_PROXY_COUNT hops only."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.http import HttpResponse

from config.proxy import TrustedProxyMiddleware, forwarded_client
from members.models import Application
from tests.accounts.builders import PASSWORD, credit_code, make_company, make_contact
from tests.members.uploads import application_form

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that comes through the proxy
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.23"
LOGIN = "/account/login/"
EMAIL = "liming@example.com"


@pytest.mark.parametrize(
    ("header", "count", "expected"),
    [
        (CLIENT_A, 1, CLIENT_A),
        (f"{CLIENT_B}, {CLIENT_A}", 1, CLIENT_A),  # the left entry is the client's claim
        (f"{CLIENT_B},{CLIENT_A}", 2, CLIENT_B),
        (f"  {CLIENT_A}  ", 1, CLIENT_A),
        (f"{CLIENT_A}:4711", 1, CLIENT_A),
        ("[2001:DB8:0::1]:443", 1, "2001:db8::1"),
        ("2001:db8:0:0::1", 1, "2001:db8::1"),
        (CLIENT_A, 0, None),  # no trusted proxy: the header means nothing
        (CLIENT_A, 2, None),  # fewer entries than proxies: not from them
        ("", 1, None),
        ("unknown", 1, None),
        (f"{CLIENT_A}, ", 1, None),
        (",,,", 2, None),
        ("999.1.1.1", 1, None),
        ("中文, \x00", 1, None),
        ("[::1", 1, None),
        ("[::1]x", 1, None),
        (f"{CLIENT_A}:http", 1, None),
        ("1.2.3.4:5:6", 1, None),
        (", ".join([CLIENT_B] * 5000), 1, CLIENT_B),
    ],
)
def test_it_reads_the_address_the_outermost_trusted_proxy_saw(header, count, expected):
    assert forwarded_client(header, count) == expected


def remote_addr_after_middleware(rf, **meta) -> str:
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    TrustedProxyMiddleware(view)(rf.get("/", REMOTE_ADDR=PROXY, **meta))
    return seen["address"]


def test_it_ignores_a_spoofed_header_without_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert remote_addr_after_middleware(rf, HTTP_X_FORWARDED_FOR=CLIENT_A) == PROXY


def test_it_takes_the_client_from_the_proxy(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert remote_addr_after_middleware(rf, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {CLIENT_A}") == (
        CLIENT_A
    )
    assert remote_addr_after_middleware(rf) == PROXY


@pytest.mark.parametrize("header", ["", "garbage", f"{CLIENT_A}, nonsense", "\udcff", "," * 9000])
def test_it_keeps_remote_addr_for_a_malformed_header(rf, settings, header):
    settings.TRUSTED_PROXY_COUNT = 1

    assert remote_addr_after_middleware(rf, HTTP_X_FORWARDED_FOR=header) == PROXY


def test_it_runs_first_and_axes_reads_its_result():
    assert django_settings.MIDDLEWARE[0] == "config.proxy.TrustedProxyMiddleware"
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "config.proxy.client_ip"


# Rate limits: the /join/ form's JOIN_PER_HOUR, counted per address.


def apply(client, n: int, forwarded_for: str):
    form = application_form(company_name=f"示例仪表公司{n}", credit_code=credit_code(300 + n))
    return client.post("/join/", form, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_it_gives_a_spoofed_header_no_fresh_rate_limit_without_a_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.JOIN_PER_HOUR = 1

    assert apply(client, 1, CLIENT_A).status_code == 302
    assert apply(client, 2, CLIENT_B).status_code == 429
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_it_gives_each_client_behind_the_proxy_its_own_rate_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.JOIN_PER_HOUR = 1

    assert apply(client, 1, CLIENT_A).status_code == 302
    assert apply(client, 2, CLIENT_A).status_code == 429
    # Another visitor, through the same proxy; a client's own claim in front changes nothing.
    assert apply(client, 3, CLIENT_B).status_code == 302
    assert apply(client, 4, f"{CLIENT_B}, {CLIENT_A}").status_code == 429
    assert Application.objects.count() == 2


# Sign-in lockout (django-axes): per account and address.


def sign_in(client, password: str, forwarded_for: str):
    return client.post(
        LOGIN,
        {"username": EMAIL, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def contact(db):
    return make_contact(make_company("浙江甲仪表有限公司"), EMAIL, primary=True)


def test_it_locks_out_each_client_behind_the_proxy_on_its_own(client, contact, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong password", CLIENT_A)

    assert sign_in(client, PASSWORD, CLIENT_A).status_code == 429
    assert AccessAttempt.objects.get().ip_address == CLIENT_A
    assert sign_in(client, PASSWORD, CLIENT_B).status_code == 302


def test_it_keeps_the_lockout_for_a_spoofed_header_without_a_proxy(client, contact, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong password", CLIENT_A)

    assert sign_in(client, PASSWORD, CLIENT_B).status_code == 429
    assert AccessAttempt.objects.get().ip_address == PROXY
