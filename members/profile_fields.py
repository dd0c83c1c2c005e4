"""The public company fields a contact may edit, as a ProfileChange records them.

A change stores each edited field as ``{"old": …, "new": …}`` in JSON: text
fields as strings, the industry segment as its id, the founding year as a
number, the description as sanitised HTML and the logo as its file name.
"""

from dataclasses import dataclass
from html import escape

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from portal.search import html_to_text
from richtext.sanitize import sanitize_html

from .models import City, Company, IndustrySegment

# The fields of the company form on /account/profile/, in its order; the
# logo is uploaded separately. ``joined_on`` is the secretariat's to set.
EDITABLE_FIELDS = (
    "name",
    "short_name",
    "english_name",
    "city",
    "industry",
    "address",
    "website",
    "phone",
    "public_email",
    "founded_year",
    "description",
)
LOGO = "logo"


def field_label(name: str) -> str:
    return str(lazy_field_label(name))


def lazy_field_label(name: str):
    """The field's name, translated when shown (e.g. in a mail rendered in Chinese)."""
    try:
        return capfirst(Company._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def json_value(name: str, value):
    """``value`` (as a form or the model holds it) in the form a ProfileChange stores."""
    if name == "industry":
        if isinstance(value, IndustrySegment):
            return value.pk
        return value or None
    if name == "founded_year":
        return int(value) if value not in (None, "") else None
    if name == LOGO:
        return getattr(value, "name", value) or ""
    return (value or "").strip() if isinstance(value, str) or value is None else value


def stored_value(company: Company, name: str):
    """The company's current value of field ``name``, as a ProfileChange stores it."""
    if name == "industry":
        return company.industry_id
    return json_value(name, getattr(company, name, None))


def model_value(name: str, value):
    """A stored value turned back into what the model field takes."""
    if name == "industry":
        return IndustrySegment.objects.filter(pk=value).first() if value else None
    if name == "description":
        return sanitize_html(value)
    return value


def description_as_text(html: str) -> str:
    """The description's paragraphs as plain text, separated by blank lines (for editing)."""
    if not html:
        return ""
    marked = html
    for closing in ("</p>", "</li>", "</h2>", "</h3>", "</h4>", "</blockquote>", "</figure>"):
        marked = marked.replace(closing, closing + "\n\n")
    marked = marked.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n")
    text = html_to_text(marked)
    return "\n\n".join(_paragraphs(text))


def _paragraphs(text: str) -> list[str]:
    blocks = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            blocks.append("\n".join(lines))
    return blocks


def same_description_text(text: str, html: str) -> bool:
    """Whether ``text`` (typed in the form) says what the description ``html`` says."""
    return _paragraphs(text or "") == _paragraphs(description_as_text(html))


def description_from_text(text: str) -> str:
    """Plain text typed by a contact as HTML paragraphs (line breaks kept)."""
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in block.split("\n")) + "</p>"
        for block in _paragraphs(text or "")
    )


@dataclass(frozen=True)
class IndustryNames:
    """Industry segment names by id, to show stored ids (one query for a whole table)."""

    names: dict

    @classmethod
    def for_values(cls, values) -> "IndustryNames":
        ids = {value for value in values if isinstance(value, int)}
        names = dict(IndustrySegment.objects.filter(pk__in=ids).values_list("pk", "name"))
        return cls(names)


def display_value(name: str, value, industries: IndustryNames | None = None) -> str:
    """A stored value as a person reads it: a city's name, the description's text …"""
    if value is None or value == "":
        return "—"
    if name == "city":
        try:
            return str(City(value).label)
        except ValueError:
            return str(value)
    if name == "industry":
        if industries is not None and value in industries.names:
            return industries.names[value]
        return str(value)
    if name == "description":
        return " ".join(description_as_text(value).split()) or "—"
    if name == LOGO:
        return str(value).rsplit("/", 1)[-1]
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return str(value)
