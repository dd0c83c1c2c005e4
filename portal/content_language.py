"""Which text on an English page is Chinese content, to be marked lang="zh-Hans" (WCAG 3.1.2).

Titles and names entered only in Chinese show as they are on English pages;
the element around them says so, for screen readers and for the fonts.
"""

import re

from django.conf import settings
from django.utils.translation import get_language

# Han ideographs, CJK punctuation and full-width forms: text entered in Chinese.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def is_chinese_on_another_page(value) -> bool:
    """``value`` holds Chinese and the page is in another language than Chinese."""
    return get_language() != settings.LANGUAGE_CODE and bool(CHINESE.search(str(value)))
