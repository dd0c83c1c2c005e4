"""Allow-list HTML sanitising with nh3 (the Ammonia sanitiser).

Everything that is not listed here is removed: scripts and styles with their
content, event-handler attributes, ``style`` attributes, and URLs whose scheme
is not http, https, mailto or tel (so ``javascript:`` and ``data:`` never
reach the database). What CKEditor 5 produces with our toolbar is kept.
"""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "span",
    "mark",
    "code",
    "pre",
    "a",
    "blockquote",
    "ul",
    "ol",
    "li",
    "figure",
    "figcaption",
    "img",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "ol": {"start", "reversed"},
}
# CKEditor 5 marks images and tables with classes on <figure>; no other
# classes are kept, so content cannot borrow the site's own styles.
ALLOWED_CLASSES = {
    "figure": {
        "image",
        "table",
        "image_resized",
        "image-style-side",
        "image-style-align-left",
        "image-style-align-right",
        "image-style-align-center",
        "image-style-block-align-left",
        "image-style-block-align-right",
    },
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "noscript", "template"}


def sanitize_html(value: str | None) -> str:
    """Return ``value`` with everything outside the allow-list removed."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
