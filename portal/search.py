"""Chinese full-text search: word segmentation into a PostgreSQL tsvector.

PostgreSQL ships no Chinese parser, so text is segmented with jieba (rjieba)
before it reaches the database: ``index_tokens`` turns a document into
space-separated words (in search mode, so 知识产权 also yields 知识 and 产权),
which a generated ``to_tsvector('simple', ...)`` column with a GIN index stores.
A query is segmented the same way and every word must match.
"""

import re
from html import unescape

import rjieba
from django.contrib.postgres.search import SearchQuery
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

# Words that are only punctuation or spaces are dropped; so are a few function
# words that would otherwise match nearly every article.
_WORD = re.compile(r"\w", re.UNICODE)
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "有",
        "为",
        "对",
        "等",
        "中",
        "之",
        "将",
        "也",
        "并",
        "或",
        "其",
        "把",
        "被",
        "从",
        "由",
        "以",
        "于",
    ]
)
MAX_QUERY_TOKENS = 12


def _words(tokens) -> list[str]:
    return [
        token.lower()
        for token in (t.strip() for t in tokens)
        if token and _WORD.search(token) and token not in STOPWORDS
    ]


def html_to_text(html: str) -> str:
    """The text of an HTML fragment, for indexing."""
    return unescape(strip_tags(html or ""))


def index_tokens(*texts: str) -> str:
    """Space-separated search words for a document made of ``texts``."""
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_words(rjieba.cut_for_search(text)))
    return " ".join(words)


def query_terms(query: str) -> list[str]:
    """The words of a visitor's query, in order, without repeats."""
    terms = _words(rjieba.cut_for_search(query.strip()[:200]))
    return list(dict.fromkeys(terms))[:MAX_QUERY_TOKENS]


def search_query(terms: list[str]) -> SearchQuery | None:
    """A tsquery that needs every term, or None when there are no terms."""
    combined = None
    for term in terms:
        part = SearchQuery(term, search_type="plain", config="simple")
        combined = part if combined is None else combined & part
    return combined


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` escaped, with every occurrence of the query's terms in <mark>."""
    escaped = escape(text or "")
    needles = sorted({escape(term) for term in terms if term}, key=len, reverse=True)
    if not needles:
        return escaped
    pattern = re.compile("|".join(re.escape(needle) for needle in needles), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda match: f"<mark>{match.group(0)}</mark>", escaped))
