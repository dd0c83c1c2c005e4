"""The demo facts hold together and come from the bulletin's text (no database)."""

from collections import Counter
from pathlib import Path

from demo import facts
from members.models import SeatRole
from tests.demo import COUNCIL_UNITS, VICE_PRESIDENT_UNITS

DEMO_DIR = Path(__file__).resolve().parents[2] / "bulletin" / "demo"


def _flat(text: str) -> str:
    # The PDF's text breaks lines anywhere and hyphenates Latin words with "⁃".
    return "".join(text.split()).replace("⁃", "")


TEXT = _flat((DEMO_DIR / facts.BULLETIN_FILE).read_text(encoding="utf-8"))
COMPANY_KEYS = {company.short_name for company in facts.COMPANIES}


def test_it_names_every_company_as_the_bulletin_spells_it():
    for company in facts.COMPANIES:
        for spelling in (company.name, company.short_name, *company.aliases):
            assert _flat(spelling) in TEXT, spelling


def test_it_keeps_one_row_per_spelling():
    spellings = Counter(
        spelling
        for company in facts.COMPANIES
        for spelling in {company.name, company.short_name, *company.aliases}
    )
    assert [s for s, n in spellings.items() if n > 1] == []


def test_it_seats_seven_vice_president_and_six_council_units():
    by_role = {
        role: {c.short_name for c in facts.COMPANIES if c.role == role}
        for role in (SeatRole.VICE_PRESIDENT, SeatRole.COUNCIL)
    }
    assert by_role[SeatRole.VICE_PRESIDENT] == VICE_PRESIDENT_UNITS
    assert by_role[SeatRole.COUNCIL] == COUNCIL_UNITS


def test_it_refers_only_to_known_companies_segments_awards_and_articles():
    segments = {segment.name for segment in facts.SEGMENTS}
    titles = {article.title for article in facts.ARTICLES}
    assert all(c.segment in segments for c in facts.COMPANIES if c.segment)
    assert all(o.company in COMPANY_KEYS for o in facts.OFFICERS if o.company)
    for article in facts.ARTICLES:
        assert set(article.companies) <= COMPANY_KEYS, article.title
    for event in facts.EVENTS:
        assert set(event.co_organisers) <= COMPANY_KEYS, event.title
        assert event.report in titles, event.title
        assert event.starts_on <= event.ends_on
    for honour in facts.HONOURS:
        assert honour.award in facts.AWARDS
        assert honour.company in COMPANY_KEYS
        assert honour.source in titles


def test_it_lists_the_issue_articles_in_the_table_of_contents_order():
    toc = (DEMO_DIR / facts.TOC_FILE).read_text(encoding="utf-8")
    toc_titles = [
        line.split("\t")[1] for line in toc.splitlines() if line and not line.startswith("#")
    ]
    assert [_flat(a.title) for a in facts.ARTICLES] == [_flat(t) for t in toc_titles]
    assert len(facts.ARTICLES) == 25


def test_it_takes_people_projects_and_document_numbers_from_the_text():
    for honour in facts.HONOURS:
        for value in (honour.person, honour.project, honour.document_number):
            assert _flat(value) in TEXT, value
    for officer in facts.OFFICERS:
        assert officer.name in TEXT
    for event in facts.EVENTS:
        for item in event.agenda:
            for person in filter(None, (item.speaker + "、" + item.host).split("、")):
                assert person in TEXT, person


def test_it_records_each_honour_once():
    keys = Counter((h.award, h.year, h.company, h.person, h.project) for h in facts.HONOURS)
    assert [k for k, n in keys.items() if n > 1] == []
