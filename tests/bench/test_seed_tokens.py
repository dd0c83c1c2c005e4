"""seed_bench segments a clause at a time (each repeated clause once): the same words."""

import random

import pytest

from bench.seed import search_tokens
from bench.synthetic import SECTIONS, Vocabulary
from bulletin.models import Article
from portal.search import html_to_text


def _same_words(title="", subtitle="", summary="", body="", source="") -> None:
    article = Article(title=title, subtitle=subtitle, summary=summary, body=body, source=source)
    expected = article.build_search_tokens()
    assert search_tokens(title, subtitle, summary, html_to_text(body), source) == expected


@pytest.mark.parametrize(
    "text",
    [
        "聚光科技（Focused Photonics）2022年营收30.5亿元，同比增长12%。",
        "宁水集团、金卡智能：“双11”突破1500万！NB-IoT 智能水表 v2.0 上线",
        "  国家知识产权示范企业和优势企业名单公布啦！  ",
        "",
    ],
)
def test_a_text_gets_the_words_the_article_would_have(text):
    _same_words(title=text, body=f"<p>{text}</p><p>第二段：{text}</p>", source="浙仪协")
    if text:
        assert search_tokens(text)


def test_synthetic_articles_get_the_words_the_article_would_have():
    vocabulary = Vocabulary(random.Random(7))
    for n in range(60):
        slug = SECTIONS[n % len(SECTIONS)][2]
        title, subtitle, summary, paragraphs, source = vocabulary.article(
            slug, ["聚光科技", "宁水集团"], 2024, 2048
        )
        body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
        _same_words(title, subtitle, summary, body, source)
