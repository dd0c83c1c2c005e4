"""Importing a bulletin issue from its PDF: what it would change, then the change.

``issue_plan`` reads the issue's text (``pdf_reading.pdf_text``) and tells,
writing nothing, what the import would do: each article with its section,
title, subtitle and source, whether it is new or updates one of the issue's
articles, the member companies it names (``company_mentions``) and, for a
会员成果 article, the honours it reports (``honour_mentions``) with the
company each goes to. ``issue_pdf_import`` then does it, in one transaction:
the issue and its articles through ``services.bulletin_import``, the PDF kept
on ``Issue.pdf`` (public, in MEDIA_ROOT), the first page as ``Issue.cover``,
the companies linked to the articles (links are added, never removed), and
each honour not yet recorded proposed as an *unverified* ``awards.Honour`` --
public pages show verified honours only, so nothing reaches them before the
secretariat checks it.

Between the preview and the confirmation the uploaded PDF and its text wait
in the private storage (``pending_pdf_save``), named by a signed token that
also carries the form's values and the uploader; the browser keeps only the
token, so what is confirmed is what was previewed, by whoever previewed it.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from awards.models import Award, Honour
from config.private_files import private_storage
from members.models import Company

from .company_mentions import CompanySpellings
from .honour_mentions import (
    HONOUR_SECTIONS,
    HonourMention,
    award_kind,
    award_level,
    honours_mentioned,
)
from .models import Article, Issue, Section
from .parsing import ParsedArticle, parse_bulletin, parse_toc
from .pdf_reading import pdf_cover, pdf_text
from .services import bulletin_import, summarise

PENDING_DIR = "bulletin/pending"
PENDING_MAX_AGE = timedelta(hours=2)
PENDING_SALT = "bulletin.pdf_import.pending"
AWARD_MATCH_MIN = 4  # an award name this long or longer is matched inside a longer one


# ------------------------------------------------------------------------------ the plan
@dataclass
class HonourProposal:
    """An honour an article reports, for one company."""

    mention: HonourMention
    article_title: str
    company: Company
    year: int
    award: Award | None  # the recorded award it is of; None: a new award is made
    recorded: bool  # an honour of this award, year and company is already recorded

    @property
    def award_name(self) -> str:
        return self.award.name if self.award else self.mention.award


@dataclass
class ArticlePlan:
    article: ParsedArticle
    existing: Article | None  # the issue's article of this title, which the import updates
    section_exists: bool
    companies: list[Company] = field(default_factory=list)
    honours: list[HonourProposal] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return summarise(self.article.paragraphs)


@dataclass
class IssuePlan:
    year: int
    number: int
    issue: Issue | None  # the issue as recorded; None: the import creates it
    articles: list[ArticlePlan]
    kept: list[Article]  # the issue's articles the PDF does not have: left as they are

    @property
    def created(self) -> int:
        return sum(1 for plan in self.articles if plan.existing is None)

    @property
    def companies(self) -> int:
        """How many article-company links the articles have (new or not)."""
        return sum(len(plan.companies) for plan in self.articles)

    @property
    def updated(self) -> int:
        return len(self.articles) - self.created

    @property
    def new_sections(self) -> list[str]:
        names = (plan.article.section for plan in self.articles if not plan.section_exists)
        return list(dict.fromkeys(names))

    @property
    def honours(self) -> list[HonourProposal]:
        """The honours the articles report, recorded already or not."""
        return [honour for plan in self.articles for honour in plan.honours]

    @property
    def proposals(self) -> list[HonourProposal]:
        """The honours the import would propose (those not recorded yet)."""
        return [honour for honour in self.honours if not honour.recorded]


def issue_plan(*, text: str, year: int, number: int, toc: str | None = None) -> IssuePlan:
    """What importing ``text`` as issue ``year``/``number`` would do; writes nothing.

    Raises ``parsing.BulletinFormatError`` when the text does not split into articles.
    """
    parsed = parse_bulletin(text, toc=parse_toc(toc) if toc else None)
    issue = Issue.objects.filter(year=year, number=number).first()
    existing = {}
    if issue is not None:
        existing = {article.title: article for article in issue.articles.order_by("position")}
    names = {item.section for item in parsed}
    sections = set(Section.objects.filter(name__in=names).values_list("name", flat=True))
    spellings = CompanySpellings.of_members()
    awards = list(Award.objects.only("id", "name", "issuer", "level", "kind"))

    plans = []
    for item in parsed:
        companies = spellings.find("\n".join([item.title, item.subtitle, *item.paragraphs]))
        plan = ArticlePlan(
            article=item,
            existing=existing.get(item.title),
            section_exists=item.section in sections,
            companies=companies,
        )
        if item.section in HONOUR_SECTIONS:
            plan.honours = _proposals(item, companies, spellings, awards, year=year)
        plans.append(plan)
    _mark_recorded([h for plan in plans for h in plan.honours])
    titles = {item.title for item in parsed}
    kept = [article for title, article in existing.items() if title not in titles]
    return IssuePlan(year=year, number=number, issue=issue, articles=plans, kept=kept)


def _proposals(
    item: ParsedArticle,
    companies: list[Company],
    spellings: CompanySpellings,
    awards: list[Award],
    *,
    year: int,
) -> list[HonourProposal]:
    """Each honour the article reports, for each company named where it is reported.

    The companies named in the sentences that report it; failing those, the
    ones the title names; failing those, the article's only company.
    """
    title_companies = spellings.find(f"{item.title}\n{item.subtitle}")
    proposals = []
    mentions = honours_mentioned(
        title=item.title, subtitle=item.subtitle, paragraphs=item.paragraphs
    )
    for mention in mentions:
        named: dict[int, Company] = {}
        for sentence in mention.sentences:
            for company in spellings.find(sentence):
                named.setdefault(company.pk, company)
        winners = list(named.values()) or title_companies
        if not winners and len(companies) == 1:
            winners = companies
        award = _award_for(mention.award, awards)
        for company in winners:
            proposals.append(
                HonourProposal(
                    mention=mention,
                    article_title=item.title,
                    company=company,
                    year=mention.year or year,
                    award=award,
                    recorded=False,
                )
            )
    return proposals


def _award_for(name: str, awards: list[Award]) -> Award | None:
    """The recorded award of this name; else the longest whose name is in it, or it in."""
    for award in awards:
        if award.name == name:
            return award
    candidates = [
        award
        for award in awards
        if min(len(award.name), len(name)) >= AWARD_MATCH_MIN
        and (award.name in name or name in award.name)
    ]
    return max(candidates, key=lambda award: len(award.name), default=None)


def _mark_recorded(proposals: list[HonourProposal]) -> None:
    """Set ``recorded`` on proposals whose award, year and company have an honour already."""
    award_ids = {p.award.pk for p in proposals if p.award is not None}
    if not award_ids:
        return
    recorded = set(
        Honour.objects.filter(award_id__in=award_ids).values_list("award_id", "year", "company_id")
    )
    for proposal in proposals:
        if proposal.award is not None:
            key = (proposal.award.pk, proposal.year, proposal.company.pk)
            proposal.recorded = key in recorded


# ---------------------------------------------------------------------------- the import
@dataclass
class PdfImportResult:
    issue: Issue
    issue_created: bool
    created: int
    updated: int
    links: int  # article-company links added
    honours: list[Honour]  # proposed, unverified
    cover: bool  # whether the cover was made from the first page


@transaction.atomic
def issue_pdf_import(
    *,
    pdf: bytes,
    year: int,
    number: int,
    text: str | None = None,
    toc: str | None = None,
    title: str = "",
    published_on: date | None = None,
) -> PdfImportResult:
    """Create or update issue ``year``/``number`` and its articles from its PDF.

    ``text`` is the PDF's text when it was read already (``pdf_reading.pdf_text``).
    Keeps the PDF on the issue and makes its cover from the first page (the
    files they replace are deleted once the transaction commits), links the
    companies the articles name and proposes the honours they report, unverified.
    Raises ``parsing.BulletinFormatError`` (nothing is written) when the text
    does not split into articles, ``pdf_reading.PdfTextError`` when it cannot be read.
    """
    if text is None:
        text = pdf_text(pdf)
    plan = issue_plan(text=text, year=year, number=number, toc=toc)
    result = bulletin_import(
        text=text, year=year, number=number, toc=toc, title=title, published_on=published_on
    )
    issue = result.issue
    by_title = {article.title: article for article in result.articles}

    links = 0
    for article_plan in plan.articles:
        article = by_title[article_plan.article.title]
        wanted = {company.pk for company in article_plan.companies}
        present = set(article.companies.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - present:
            article.companies.add(*(wanted - present))
        links += len(wanted - present)

    honours = []
    for article_plan in plan.articles:
        for proposal in article_plan.honours:
            if proposal.recorded:
                continue
            honour = _honour_propose(
                proposal=proposal, article=by_title[article_plan.article.title], issue=issue
            )
            if honour is not None:
                honours.append(honour)

    cover = _issue_files_save(issue=issue, pdf=pdf)
    return PdfImportResult(
        issue=issue,
        issue_created=plan.issue is None,
        created=result.created,
        updated=result.updated,
        links=links,
        honours=honours,
        cover=cover,
    )


def _honour_propose(*, proposal: HonourProposal, article: Article, issue: Issue) -> Honour | None:
    """The unverified honour for ``proposal``, or None when one of its award, year and
    company was recorded meanwhile."""
    mention = proposal.mention
    award = proposal.award
    if award is None:
        award, _ = Award.objects.get_or_create(
            name=mention.award[: Award._meta.get_field("name").max_length],
            issuer=mention.issuer[: Award._meta.get_field("issuer").max_length],
            defaults={
                "level": award_level(name=mention.award, issuer=mention.issuer),
                "kind": award_kind(name=mention.award),
                "description": f"由会刊 {issue} 导入时提出，待秘书处核实。",
            },
        )
    if Honour.objects.filter(award=award, year=proposal.year, company=proposal.company).exists():
        return None
    return Honour.objects.create(
        award=award,
        year=proposal.year,
        company=proposal.company,
        project=mention.project[: Honour._meta.get_field("project").max_length],
        grade=mention.grade[: Honour._meta.get_field("grade").max_length],
        document_number=mention.document_number[
            : Honour._meta.get_field("document_number").max_length
        ],
        source_article=article,
        verified=False,
    )


def _issue_files_save(*, issue: Issue, pdf: bytes) -> bool:
    """Put the PDF and its cover on the issue; whether a cover could be made.

    Done last in the transaction, so that a failure before leaves no file
    behind; the files these replace are deleted once the transaction commits.
    """
    storage = issue.pdf.storage
    old = [name for name in (issue.pdf.name, issue.cover.name) if name]
    stem = f"{issue.year}-{issue.number:02d}"
    new = []
    try:
        issue.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        new.append(issue.pdf.name)
        cover = pdf_cover(pdf)
        if cover is not None:
            issue.cover.save(f"{stem}.jpg", cover, save=False)
            new.append(issue.cover.name)
        elif issue.cover:
            old.remove(issue.cover.name)  # no new cover: the old one stays
        issue.save(update_fields=["pdf", "cover"])
    except BaseException:
        for name in new:
            storage.delete(name)
        raise
    stale = [name for name in old if name not in new]
    transaction.on_commit(lambda: [storage.delete(name) for name in stale])
    return cover is not None


# ------------------------------------------------------------ waiting for the confirmation
class PendingPdfGone(Exception):
    """The token is not valid, expired, is another user's, or its files are gone."""


@dataclass(frozen=True)
class PendingPdf:
    """An uploaded PDF and what the form said about it, between preview and confirmation."""

    token: str
    pdf_name: str  # in the private storage
    text_name: str
    sha256: str
    user_id: int
    year: int
    number: int
    title: str
    published_on: date | None
    toc: str
    filename: str  # as uploaded, for messages only

    def pdf(self) -> bytes:
        with private_storage().open(self.pdf_name, "rb") as file:
            data = file.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise PendingPdfGone
        return data

    def text(self) -> str:
        with private_storage().open(self.text_name, "rb") as file:
            return file.read().decode("utf-8")


def pending_pdf_save(
    *,
    pdf: bytes,
    text: str,
    user,
    year: int,
    number: int,
    title: str = "",
    published_on: date | None = None,
    toc: str = "",
    filename: str = "",
) -> PendingPdf:
    """Keep ``pdf`` and its ``text`` in the private storage; the token names them.

    Files left by previews never confirmed are deleted once PENDING_MAX_AGE old.
    """
    storage = private_storage()
    _pending_sweep(storage)
    key = uuid.uuid4().hex
    pdf_name = storage.save(f"{PENDING_DIR}/{key}.pdf", ContentFile(pdf))
    text_name = storage.save(f"{PENDING_DIR}/{key}.txt", ContentFile(text.encode("utf-8")))
    values = {
        "pdf": pdf_name,
        "text": text_name,
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "user": user.pk,
        "year": year,
        "number": number,
        "title": title,
        "published_on": published_on.isoformat() if published_on else "",
        "toc": toc,
        "filename": filename,
    }
    token = signing.dumps(values, salt=PENDING_SALT, compress=True)
    return _pending(token, values)


def pending_pdf_load(*, token: str, user) -> PendingPdf:
    """The pending upload ``token`` names, if ``user`` made it and it is still there."""
    try:
        values = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE.total_seconds())
        pending = _pending(token, values)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PendingPdfGone from None
    storage = private_storage()
    if (
        pending.user_id != user.pk
        or not pending.pdf_name.startswith(f"{PENDING_DIR}/")
        or not pending.text_name.startswith(f"{PENDING_DIR}/")
        or not storage.exists(pending.pdf_name)
        or not storage.exists(pending.text_name)
    ):
        raise PendingPdfGone
    return pending


def pending_pdf_claim(*, pending: PendingPdf) -> PendingPdf:
    """Take the pending upload for one confirmation; a second one (a double click, a
    second tab) raises PendingPdfGone instead of importing the issue twice at once.

    The claim is a rename, which only one request can make.
    """
    storage = private_storage()
    claimed = replace(pending, pdf_name=pending.pdf_name + ".claimed")
    try:
        os.rename(storage.path(pending.pdf_name), storage.path(claimed.pdf_name))
    except FileNotFoundError:
        raise PendingPdfGone from None
    return claimed


def pending_pdf_discard(*, pending: PendingPdf) -> None:
    storage = private_storage()
    for name in (pending.pdf_name, pending.text_name):
        storage.delete(name)


def _pending(token: str, values: dict) -> PendingPdf:
    return PendingPdf(
        token=token,
        pdf_name=values["pdf"],
        text_name=values["text"],
        sha256=values["sha256"],
        user_id=values["user"],
        year=int(values["year"]),
        number=int(values["number"]),
        title=values["title"],
        published_on=date.fromisoformat(values["published_on"]) if values["published_on"] else None,
        toc=values["toc"],
        filename=values["filename"],
    )


def _pending_sweep(storage) -> None:
    try:
        _, names = storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_MAX_AGE
    for name in names:
        path = f"{PENDING_DIR}/{name}"
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
        except FileNotFoundError:
            continue  # swept by another request meanwhile
