"""Which member companies an article's text names.

A company is named by any of its spellings: its name, its short name or one of
its other names (``Company.aliases``) -- the same three that
``CompanyQuerySet.matching_name`` and the demo loader recognise. The text is
read left to right and the longest spelling starting at each place wins, so
浙江中控自动化仪表有限公司 names 中控自动化仪表, not 中控技术 by its alias 中控.
A spelling shared by two companies names neither (it cannot tell them apart),
and one-character spellings are ignored.
"""

from collections import defaultdict
from collections.abc import Iterable

from members.models import Company

MIN_SPELLING = 2


class CompanySpellings:
    """An index of the companies' spellings, for finding them in texts.

    Indexed by each spelling's first two characters: a text is read in one
    pass however many companies there are.
    """

    def __init__(self, companies: Iterable[Company]) -> None:
        owners: dict[str, set[int]] = defaultdict(set)
        self.companies: dict[int, Company] = {}
        for company in companies:
            self.companies[company.pk] = company
            for spelling in (company.name, company.short_name, *(company.aliases or [])):
                spelling = (spelling or "").strip()
                if len(spelling) >= MIN_SPELLING:
                    owners[spelling].add(company.pk)
        self._by_prefix: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for spelling, pks in owners.items():
            if len(pks) == 1:
                self._by_prefix[spelling[:MIN_SPELLING]].append((spelling, next(iter(pks))))
        for candidates in self._by_prefix.values():
            candidates.sort(key=lambda item: -len(item[0]))

    @classmethod
    def of_members(cls) -> "CompanySpellings":
        """The spellings of the association's members (applicants and former members left out)."""
        return cls(
            Company.objects.exclude(
                status__in=[Company.Status.APPLICANT, Company.Status.WITHDRAWN]
            ).only("id", "name", "short_name", "aliases")
        )

    def find(self, text: str) -> list[Company]:
        """The companies ``text`` names, in the order they first appear."""
        found: dict[int, Company] = {}
        index = 0
        while index < len(text) - 1:
            for spelling, pk in self._by_prefix.get(text[index : index + MIN_SPELLING], ()):
                if text.startswith(spelling, index):
                    found.setdefault(pk, self.companies[pk])
                    index += len(spelling)
                    break
            else:
                index += 1
        return list(found.values())
