from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from tests.portal.factories import public_content
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def test_it_shows_news_by_section_events_honours_and_figures(client, loaded_demo):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    for section in ("协会动态", "会员成果", "会员风采", "政策法规", "行业资讯"):
        assert section in content
    assert "国家知识产权示范企业和优势企业名单公布啦！" in content
    # The demo's one upcoming event (demo.door); the bulletin's are all past.
    assert "即将举行的活动" in content and "会员单位工作联系人年终交流会" in content
    assert "聚光科技" in content  # a recent honour
    figures = response.context["figures"]
    assert figures == {"companies": 23, "council": 13, "honours": 24}


def test_it_speaks_english_at_en(client, loaded_demo):
    response = client.get("/en/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Member companies" in content
    assert "Association news" in content  # the section's English name


def test_it_uses_a_fixed_number_of_queries(client, private_cache):
    public_content(3)
    few = count_queries(client, "/")
    public_content(57)
    many = count_queries(client, "/")
    assert many == few, "the home page's queries grow with its rows; explain any new query"
    assert few <= 10


def test_it_shows_the_latest_events_when_none_is_coming(client, private_cache):
    starts_at = timezone.now() - timedelta(days=30)
    Event.objects.create(
        title="上月的交流会",
        status=Event.Status.PUBLISHED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
    )

    content = client.get("/").content.decode()

    assert "近期活动" in content and "上月的交流会" in content
    assert "即将举行的活动" not in content
