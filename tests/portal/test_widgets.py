"""portal.widgets.Select: the markup of Django's Select, without its templates."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.utils.safestring import mark_safe

from portal.widgets import Select

CHOICES = [
    ("", "全部"),
    ("2022", [("12", "2022年第12期"), ("11", "2022年第11期")]),
    ("2021", [("3", "<b>第3期</b> & \"引号\" 'x'")]),
    ("safe", mark_safe("<i>已转义</i>")),
    (7, 7),
]


class Elements(HTMLParser):
    """The start tags, their attributes (sorted) and the text, in document order."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.found.append(("/" + tag, None))

    def handle_data(self, data):
        if data.strip():
            self.found.append(("text", data))


def rendered(widget_class, value, attrs=None) -> list:
    widget = widget_class(attrs={"class": "filter"}, choices=CHOICES)
    return Elements(widget.render("issue", value, attrs=attrs or {"id": "id_issue"})).found


@pytest.mark.parametrize("value", ["", "11", "3", 7, "safe", None, "unknown"])
def test_it_renders_what_djangos_select_renders(value):
    assert rendered(Select, value) == rendered(forms.Select, value)


def test_it_marks_the_chosen_option_and_escapes_labels():
    markup = Select(choices=CHOICES).render("issue", "11")
    assert '<option value="11" selected>2022年第11期</option>' in markup
    assert '<option value="12">2022年第12期</option>' in markup
    assert '<optgroup label="2022">' in markup
    assert "&lt;b&gt;第3期&lt;/b&gt; &amp; &quot;引号&quot; &#x27;x&#x27;" in markup
    assert "<i>已转义</i>" in markup  # already safe: left as it is
    assert "<b>" not in markup


def test_a_bound_field_renders_with_it():
    class Form(forms.Form):
        issue = forms.ChoiceField(choices=CHOICES, required=False, widget=Select)

    markup = str(Form({"issue": "12"})["issue"])
    assert markup.startswith('<select name="issue" id="id_issue">')
    assert '<option value="12" selected>' in markup
