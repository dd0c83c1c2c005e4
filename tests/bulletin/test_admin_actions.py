from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from awards.models import Honour
from bulletin.models import Article, Section

# The English back office, so that messages can be compared in English.
with translation.override("en"):
    CHANGELIST = reverse("admin:bulletin_article_changelist")
    HONOUR_CHANGELIST = reverse("admin:awards_honour_changelist")


@pytest.fixture
def section(db):
    return Section.objects.create(name="会员成果", slug="member-achievements", order=2)


def make_article(section, title: str, status: str, **fields) -> Article:
    return Article.objects.create(title=title, section=section, status=status, **fields)


def run_action(client, url: str, action: str, objects):
    return client.post(
        url,
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_publishes_drafts(admin_client, section):
    drafts = [
        make_article(section, f"聚光科技入选国家知识产权示范企业（{n}）", "draft") for n in range(3)
    ]
    assert not Article.objects.published().exists()

    response = run_action(admin_client, CHANGELIST, "publish", drafts)

    assert response.status_code == 200
    assert texts(response) == ["3 articles were published."]
    assert set(Article.objects.published()) == set(drafts)
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 3


def test_it_counts_only_the_articles_it_changed(admin_client, section):
    draft = make_article(section, "宁波水表荣获浙江省工业大奖", "draft")
    published = make_article(section, "舜宇集团入选浙江省百强企业", "published")

    response = run_action(admin_client, CHANGELIST, "publish", [draft, published])

    assert texts(response) == ["1 article was published."]
    assert Article.objects.published().count() == 2


def test_it_keeps_the_publish_time(admin_client, section):
    when = timezone.now() - timedelta(days=30)
    draft = make_article(section, "2022浙江省企业领袖峰会举办", "draft", published_at=when)

    run_action(admin_client, CHANGELIST, "publish", [draft])

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == when


def test_it_says_when_a_published_article_appears_later(admin_client, section):
    later = timezone.now() + timedelta(days=2)
    draft = make_article(section, "浙仪协会刊第12期预告", "draft", published_at=later)

    response = run_action(admin_client, CHANGELIST, "publish", [draft])

    assert texts(response) == [
        "1 article was published.",
        "1 of them has a publish time in the future and appears then.",
    ]
    # Scheduled: published, but not yet readable.
    assert Article.objects.get().status == Article.Status.PUBLISHED
    assert not Article.objects.published().exists()


def test_it_unpublishes_articles(admin_client, section):
    articles = [
        make_article(section, "杭州和利时入选国家知识产权优势企业", "published"),
        make_article(section, "金卡智能入选国家知识产权优势企业", "published"),
    ]

    response = run_action(admin_client, CHANGELIST, "unpublish", articles)

    assert texts(response) == ["2 articles were moved back to draft."]
    assert not Article.objects.published().exists()
    assert set(Article.objects.filter(status="draft")) == set(articles)


def test_it_leaves_drafts_out_of_the_published_articles(section):
    draft = make_article(section, "草稿：协会工作联系人公约", "draft")
    published = make_article(section, "协会工作联系人公约签约", "published")

    assert list(Article.objects.published()) == [published]
    assert draft not in Article.objects.published()


def test_it_marks_honours_verified(admin_client, demo_db):
    demo_db.honour.verified = False
    demo_db.honour.save()

    response = run_action(
        admin_client,
        HONOUR_CHANGELIST,
        "mark_verified",
        [demo_db.honour],
    )

    assert texts(response) == ["1 honour was marked as verified."]
    assert Honour.objects.get().verified
