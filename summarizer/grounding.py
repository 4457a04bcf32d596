"""Stage 3: ground every item a model gives back; drop what its quote does not back.

The product's promise is that nothing reaches the briefing unless a verbatim
passage of an article supports it. Each item's quote is aligned to its span
in the article (summarizer.align); an item stands only if the quote is found
and backs the item. One bad item costs that item; a reply that is mostly
unsupported is sent back to the model (NotGrounded, a re-ask).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .align import (
    DEFAULT_THRESHOLD,
    align_quote,
    fold_text,
    mentions,
    name_as_written,
    sentences,
    supported_sentences,
    word_support,
)
from .injection import blank_instructions
from .schemas import Quote


@dataclass
class GroundingReport:
    """What grounding kept and dropped, collected across validation attempts."""

    dropped: int = 0
    reasons: list[str] = field(default_factory=list)

    def drop(self, reason: str) -> None:
        self.dropped += 1
        self.reasons.append(reason)


class NotGrounded(ValueError):
    """Most of a reply's items are unsupported: raised inside a validator, where pydantic
    turns it into a ValidationError, which instructor sends back to the model as a re-ask."""


#: A measure must name one: without this, small models list people and meetings as measures.
MEASURE_WORDS = re.compile(
    r"tariff|dut(y|ies)|export|import|control|restrict|ban|sanction|fee|levy|tax|truce|ceasefire|"
    r"deal|agreement|purchas|quota|embargo|blacklist|entity list|investigat|subsid|licen[cs]|"
    # Beyond trade: what governments, courts and parties put on the table in any story.
    r"\bbill|\blaws?\b|legislation|\bact\b|lawsuit|\bsuit\b|legal action|\bcase\b|charges?\b|probe|inquiry|"
    r"alert|\border\b|ruling|injunction|retraction|curfew|lockdown|funding|budget|\baid\b|package|\bfines?\b|"
    r"penalt|moratorium|freeze|suspen|\bcaps?\b|limit|resolution|regulation|\brules?\b|stopgap|reform|\bsue\b|"
    r"\bmeasures?\b",
    re.IGNORECASE,
)


class _Grounder:
    """Shared bookkeeping: each validation attempt starts a fresh report."""

    threshold: float = DEFAULT_THRESHOLD
    report: GroundingReport

    def _quotes(self, evidence: list[str], texts: dict[str, str]) -> list[Quote]:
        found: dict[tuple[str, int, int], Quote] = {}
        for quote in evidence:
            for article_id, text in texts.items():
                aligned = align_quote(quote, text, article_id, self.threshold)
                if aligned:
                    found.setdefault((article_id, aligned.start, aligned.end), aligned)
        return list(found.values())

    raw: dict[str, str]

    def _not_found(self, evidence: list[str], where: str) -> str:
        # Say so when the quote is real but is one of the blanked instructions.
        for quote in evidence:
            for article_id, text in self.raw.items():
                if align_quote(quote, text, article_id, self.threshold):
                    return f"its quote is text addressed to an AI model, not reporting ({_clip(quote)!r})"
        return f"evidence not found in {where} ({_clip(evidence[0])!r})"

    def _filter(self, items: list, label: str, check) -> list:
        kept = []
        seen = set()
        for item in items:
            # Small models repeat an item until the list bound; a repeat is not a second fact.
            identity = item.model_dump_json()
            if identity in seen:
                continue
            seen.add(identity)
            problem = check(item)
            if problem:
                self.report.drop(f"{label}: {problem}")
            else:
                kept.append(item)
        return kept

    def _judge(self, total: int, lenient: bool) -> None:
        # One bad item costs that item; a reply that is mostly invented is sent
        # back with the reasons, so the model can do better on its next try.
        if lenient or total < 2 or self.report.dropped * 2 <= total:
            return
        reasons = "; ".join(self.report.reasons[:6])
        raise NotGrounded(
            f"{self.report.dropped} of {total} items are not supported by the text ({reasons}). "
            "Copy evidence word for word from the text, and include only what it states."
        )


class ArticleGrounder(_Grounder):
    """Grounds an ArticleReply against one article's text.

    An item stands only if its quote is in the article and the quote itself
    backs the item: an actor's name occurs in it, a measure's or an event's
    words mostly occur in it, a deadline's date is written in it. A quote that
    is real but about something else does not make an item true.
    """

    def __init__(self, article_id: str, text: str, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.article_id = article_id
        # Sentences planted for the model are blanked (offsets kept): they can
        # neither be quoted nor lend their words to the model's prose.
        self.text = blank_instructions(text)
        self.raw = {article_id: text}
        self.threshold = threshold
        self.report = GroundingReport()

    def _located(self, item) -> list[Quote] | str:
        quotes = self._quotes(list(item.evidence), {self.article_id: self.text})
        return quotes or self._not_found(item.evidence, "the article")

    def _check_actor(self, item) -> str | None:
        quotes = self._located(item)
        if isinstance(quotes, str):
            return quotes
        quotes = [q for q in quotes if mentions(item.name, q.text, self.threshold)] or self._sentence_with(item.name)
        if not quotes:
            return f"{item.name!r} does not occur in the article"
        item._quotes = quotes
        item.name = name_as_written(item.name, quotes[0].text, self.threshold) or item.name
        # Role and affiliation are kept only where they read as such and the quote bears them out.
        item.role = item.role if _plausible_attribute(item.role, item.name, quotes, is_role=True) else ""
        item.affiliation = item.affiliation if _plausible_attribute(item.affiliation, item.name, quotes) else ""
        return None

    def _sentence_with(self, phrase: str) -> list[Quote]:
        """The first article sentence that contains `phrase`, as a quote.

        Small models name the right person or date but attach an unrelated
        sentence. The name (or date) is real, so the item is re-anchored to
        where the article writes it; anything else the model said about it
        must then hold against that sentence.
        """
        for sentence in sentences(self.text):
            if mentions(phrase, sentence, self.threshold):
                quote = align_quote(sentence, self.text, self.article_id, self.threshold)
                return [quote] if quote else []
        return []

    def _check_prose(self, item, prose: str, against_quote: bool = True) -> str | None:
        quotes = self._located(item)
        if isinstance(quotes, str):
            return quotes
        source = " ".join(q.text for q in quotes) if against_quote else self.text
        if word_support(prose, source) < 0.5:
            where = "its quote" if against_quote else "the article"
            return f"{_clip(prose)!r} is mostly words {where} does not use"
        item._quotes = quotes
        return None

    def _check_question(self, item) -> str | None:
        if not item.question.rstrip().endswith("?"):
            return f"{_clip(item.question)!r} is not a question"
        return self._check_prose(item, item.question, against_quote=False)

    def _check_measure(self, item) -> str | None:
        if not MEASURE_WORDS.search(item.name):
            return f"{_clip(item.name)!r} names no measure"
        # A measure is named by its words: each must be the article's own. Half
        # of them in the quote is not enough: "20% tariff on steel", copied from
        # a prompt's example, passed on "tariff" in an article about no steel.
        if word_support(item.name, self.text) < 1.0:
            return f"{_clip(item.name)!r} uses words the article does not"
        return self._check_prose(item, item.name)

    def _check_deadline(self, item) -> str | None:
        from .dates import find_date_phrases  # the dates module has no other tie to grounding

        # The date must be written in the quote. Take the article's whole phrase
        # around what the model copied: "November 9" inside "November 9, 2017"
        # is a 2017 date, not a coming deadline.
        wanted = fold_text(item.date_text.strip())

        def matching(quotes: list[Quote]) -> list[str]:
            phrases = [p for q in quotes for _, _, p in find_date_phrases(q.text)]
            return [p for p in phrases if wanted and (wanted in fold_text(p) or fold_text(p) in wanted)]

        located = self._located(item)
        quotes = located if isinstance(located, list) else []
        found = matching(quotes)
        if not found:
            quotes = self._sentence_with(item.date_text) if wanted else []
            found = matching(quotes)
            if not found:
                return f"date {item.date_text!r} is not written in the article"
        item._quotes = quotes
        item.date_text = max(found, key=len)
        if word_support(item.event, " ".join(q.text for q in quotes)) < 0.5:
            # The date is the article's, the model's account of it is not: let
            # the source's own sentence say what happens on that date.
            item.event = " ".join(quotes[0].text.split())
        return None

    def ground(self, reply, lenient: bool = False) -> None:
        self.report = GroundingReport()
        total = len(reply.actors) + len(reply.measures) + len(reply.deadlines) + len(reply.open_questions)
        reply.actors = self._filter(reply.actors, "actor", self._check_actor)
        reply.measures = self._filter(reply.measures, "measure", self._check_measure)
        reply.deadlines = self._filter(reply.deadlines, "deadline", self._check_deadline)
        reply.open_questions = self._filter(reply.open_questions, "question", self._check_question)
        for measure in reply.measures:
            if measure.effective_date_text and not mentions(measure.effective_date_text, self.text):
                measure.effective_date_text = ""
        reply.summary = supported_sentences(reply.summary, [self.text])
        self._judge(total, lenient)


_ROLE_WORDS = re.compile(
    r"president|premier|minister|secretary|representative|chair|director|negotiator|commissioner|"
    r"spokes|official|envoy|ambassador|governor|leader|head|chief|ceo|tycoon|agency|ministry|office|"
    r"government|bank|fund|council|committee|department|state|country|union|group",
    re.IGNORECASE,
)


def _plausible_attribute(value: str, name: str, quotes: list[Quote], is_role: bool = False) -> bool:
    """A role or affiliation: short, not the actor's own name, backed by the quote.

    A role must also read as one: a 135M model fills "role" with another
    person's surname ("Bessent") or with a sentence.
    """
    if not value or len(value.split()) > 8 or mentions(name, value):
        return False
    if is_role and not _ROLE_WORDS.search(value):
        return False
    quote_text = " ".join(q.text for q in quotes)
    return mentions(value, quote_text) or word_support(value, quote_text) >= 0.75


class BriefingGrounder(_Grounder):
    """Grounds a BriefingReply against all the articles' texts."""

    def __init__(self, texts: dict[str, str], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.raw = texts
        self.threshold = threshold
        self.report = GroundingReport()

    @functools.cached_property
    def texts(self) -> dict[str, str]:
        # Blanked when the first item is checked, not before the briefing call: 10,000 articles
        # took 1.75 s, and a reply with nothing to quote needs none of it.
        return {article_id: blank_instructions(text) for article_id, text in self.raw.items()}

    def _located(self, item) -> list[Quote] | str:
        quotes = self._quotes(list(item.evidence), self.texts)
        if not quotes:
            return self._not_found(item.evidence, "any article")
        item._quotes = quotes
        return quotes

    def _check_development(self, item) -> str | None:
        quotes = self._located(item)
        if isinstance(quotes, str):
            return quotes
        # A key development is what its quote says. When the model's wording
        # strays from the quote it chose, the quote itself is shown.
        if word_support(item.text, " ".join(q.text for q in quotes)) < 0.5:
            item.text = " ".join(quotes[0].text.split())
        return None

    def _check_question(self, item) -> str | None:
        quotes = self._located(item)
        if isinstance(quotes, str):
            return quotes
        if not item.question.rstrip().endswith("?"):
            return f"{_clip(item.question)!r} is not a question"
        if word_support(item.question, " ".join(self.texts[q.article_id] for q in quotes)) < 0.5:
            return f"{_clip(item.question)!r} is mostly words its sources do not use"
        return None

    def _check_claims(self, difference) -> str | None:
        kept = []
        for claim in difference.claims:
            text = self.texts.get(claim.article_id)
            if text is None:
                continue
            claim._quotes = self._quotes(list(claim.evidence), {claim.article_id: text})
            if claim._quotes:
                kept.append(claim)
        difference.claims = kept
        if len({c.article_id for c in kept}) < 2:
            return f"{difference.topic!r}: fewer than two articles' claims are supported by their text"
        return None

    def ground(self, reply, lenient: bool = False) -> None:
        self.report = GroundingReport()
        total = len(reply.key_developments) + len(reply.source_differences) + len(reply.open_questions)
        reply.key_developments = self._filter(reply.key_developments, "key development", self._check_development)
        reply.source_differences = self._filter(reply.source_differences, "source difference", self._check_claims)
        reply.open_questions = self._filter(reply.open_questions, "question", self._check_question)
        # The headline and the summary are checked sentence by sentence later (summarizer.prose),
        # where what is not shown is counted with its reason.
        self._judge(total, lenient)


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"
