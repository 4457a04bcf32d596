"""The product's outputs as Pydantic models, and the smaller models a model fills.

Two families live here:

* **Output models** (`ArticleSummary`, `Briefing`): what users and other services
  get, exported as JSON Schema under `schemas/`. Every fact carries `Quote`s with
  the character span where the quote sits in its article.
* **Reply models** (`ArticleReply`, `BriefingReply`): what the language model is
  asked to fill. They are deliberately small and bounded (string lengths, list
  sizes): a 135M-parameter model given an unbounded schema repeats one sentence
  until it runs out of tokens. Quotes there are plain strings; the grounding step
  turns them into `Quote`s or drops the item.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import marshal
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, ValidationInfo, model_validator

# ---------------------------------------------------------------------------
# Vocabularies shared by both families

MeasureKind = Literal[
    "tariff",
    "export_control",
    "import_ban",
    "port_fee",
    "sanction",
    "truce",
    "purchase",
    "investigation",
    "other",
]
MeasureStatus = Literal[
    "threatened",
    "proposed",
    "announced",
    "in_effect",
    "suspended",
    "under_negotiation",
    "expired",
    "unknown",
]
EventKind = Literal["deadline", "scheduled_event", "event", "expiry", "other"]
Certainty = Literal["confirmed", "expected", "tentative", "speculative"]


def _short(n: int) -> type[str]:
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=n)]  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Output models


class Quote(BaseModel):
    """A verbatim passage of an article, located by character offsets."""

    article_id: str
    text: str = Field(description="The passage exactly as it stands in the article.")
    start: int = Field(ge=0, description="Offset of the first character in Article.text.")
    end: int = Field(ge=0, description="Offset one past the last character.")
    score: float = Field(
        ge=0, le=100, description="Alignment score: 100 is an exact match after normalisation."
    )


class Actor(BaseModel):
    name: str = Field(description="The name as written in the article.")
    role: str = ""
    affiliation: str = Field("", description="Country or organisation.")
    evidence: list[Quote] = Field(min_length=1)


class Measure(BaseModel):
    name: str = Field(description="What the measure is.")
    kind: MeasureKind = "other"
    imposed_by: str = ""
    imposed_on: str = ""
    status: MeasureStatus = "unknown"
    effective_date: dt.date | None = None
    effective_date_text: str = Field("", description="The effective date as written.")
    evidence: list[Quote] = Field(min_length=1)


class Deadline(BaseModel):
    date: dt.date | None = Field(description="ISO date, or null when the text names no day.")
    date_text: str = Field(description="The date as written in the article.")
    precision: Literal["day", "week", "month", "year"] | None = None
    event: str
    kind: EventKind = "other"
    certainty: Certainty = "expected"
    evidence: list[Quote] = Field(min_length=1)


class OpenQuestion(BaseModel):
    question: str
    evidence: list[Quote] = Field(min_length=1)


class ArticleSummary(BaseModel):
    """What one article says, every item grounded in a quote of it."""

    article_id: str
    title: str | None = None
    source: str | None = None
    published: dt.date | None = None
    summary: str
    actors: list[Actor] = []
    measures: list[Measure] = []
    deadlines: list[Deadline] = []
    open_questions: list[OpenQuestion] = []
    dropped: int = Field(0, description="Items the model gave that failed grounding and were removed.")
    dropped_reasons: list[str] = Field(default_factory=list, description="Why each dropped item was removed.")
    attempts: int = Field(1, description="Model calls made for this article, re-asks included.")
    chunks: int = Field(1, description="Parts the article was split into to fit the model's context.")


class SettledFields(frozenset):
    """The names of the fields a model was given, one set shared by every model given the same
    ones (`settle`). A field set later is set as ever, but not added here: `model_fields_set`
    and `exclude_unset` go on seeing the fields given at first. A copy has a set of its own."""

    def add(self, name: str) -> None:  # where pydantic records a field set after validation
        pass

    def __copy__(self) -> set[str]:  # model_copy(), copy.copy()
        return set(self)

    def __deepcopy__(self, memo: dict) -> set[str]:
        return set(self)


_settled: dict[frozenset, SettledFields] = {}


def settle(model: BaseModel) -> BaseModel:
    """Share, between `model` and every model nested in it, the sets of their fields' names.

    pydantic gives each model its own set of the names of the fields it was given (216 bytes, 728
    past five names): half the memory of an article's summary, 50 MB of a day of 10,000. Only
    `exclude_unset` and `model_fields_set` read them, and they read a shared set alike. Summaries
    are settled once finished (summarizer.pipeline's Reading), and held, unchanged, until the
    briefing is written.
    """
    stack = [model]
    while stack:
        item = stack.pop()
        names = item.__pydantic_fields_set__
        if type(names) is not SettledFields:
            key = frozenset(names)
            shared = _settled.get(key)
            if shared is None:
                shared = _settled.setdefault(key, SettledFields(key))
            object.__setattr__(item, "__pydantic_fields_set__", shared)
        for value in item.__dict__.values():
            if isinstance(value, BaseModel):
                stack.append(value)
            elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
                stack.extend(value)
    return model


def json_pieces(model: BaseModel, indent: int | None = None, exclude: set[str] | None = None,
                item_by_item: str = "articles") -> Iterator[bytes]:
    """`model` as pydantic writes it in JSON (to_json, `indent` or compact, `exclude`d fields left
    out), as UTF-8 in pieces: each field serialised on its own, and the items of the list
    `item_by_item` one at a time. Joined, the pieces are the whole, byte for byte.

    A day of 10,000 articles is 44 MB of JSON: made whole, pydantic's growing buffer and the
    bytes copied out of it were both alive, the peak of the run. No piece now is larger than the
    largest other field.
    """
    serializer = model.__pydantic_serializer__
    newline, space = (b"", b"") if indent is None else (b"\n", b" ")
    pad = space * (indent or 0)
    yield b"{"
    names = [name for name in type(model).model_fields if not exclude or name not in exclude]
    for number, name in enumerate(names):
        yield (b"," if number else b"") + newline
        items = getattr(model, name) if name == item_by_item else None
        if items:
            yield pad + json.dumps(name).encode() + b":" + space + b"["
            for count, item in enumerate(items):
                piece = item.__pydantic_serializer__.to_json(item, indent=indent)
                if indent is not None:
                    piece = piece.replace(b"\n", b"\n" + pad * 2)
                yield (b"," if count else b"") + newline + pad * 2 + piece
            yield newline + pad + b"]"
        else:
            alone = serializer.to_json(model, indent=indent, include={name})  # {"name": value}
            yield memoryview(alone)[1 + len(newline):-1 - len(newline)]
    yield newline + b"}"


class ConsolidatedActor(BaseModel):
    name: str = Field(description="Canonical name: the fullest spelling most sources use.")
    aliases: list[str] = Field(default_factory=list, description="Other spellings seen.")
    role: str = ""
    affiliation: str = ""
    article_ids: list[str]
    evidence: list[Quote]


class ConsolidatedMeasure(BaseModel):
    name: str
    kind: MeasureKind = "other"
    imposed_by: str = ""
    imposed_on: str = ""
    status: MeasureStatus = "unknown"
    statuses: dict[str, MeasureStatus] = Field(
        default_factory=dict, description="Status as each article reports it."
    )
    effective_date: dt.date | None = None
    article_ids: list[str]
    evidence: list[Quote]


class TimelineEntry(BaseModel):
    date: dt.date | None
    precision: Literal["day", "week", "month", "year"] | None = None
    date_texts: list[str] = Field(default_factory=list, description="The date as each source wrote it.")
    event: str
    kind: EventKind = "other"
    certainty: Certainty = "expected"
    article_ids: list[str]
    evidence: list[Quote]


class Claim(BaseModel):
    article_id: str
    claim: str
    evidence: list[Quote] = []


class SourceDifference(BaseModel):
    topic: str
    claims: list[Claim] = Field(min_length=2)
    origin: Literal["model", "merge"] = Field(
        "model", description="'merge' when found deterministically (spellings, dates)."
    )


class CitedSentence(BaseModel):
    """One sentence of the briefing's prose and the article sentences it rests on."""

    text: str
    citations: list[Quote] = Field(
        min_length=1,
        description="Sentences of the articles that carry every name, figure and date of `text` "
        "(and most of its words), with their character spans.",
    )


class DroppedSentence(BaseModel):
    """A sentence of the model's prose that is not shown, and why."""

    section: Literal["headline", "executive_summary", "key_development"]
    text: str
    reason: str


class KeyDevelopment(BaseModel):
    text: str
    article_ids: list[str] = Field(min_length=1)
    evidence: list[Quote] = Field(min_length=1)


class BriefingQuestion(BaseModel):
    question: str
    article_ids: list[str] = []
    evidence: list[Quote] = []


class SourceRef(BaseModel):
    article_id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    path: str | None = None


class Failure(BaseModel):
    article_id: str | None = None
    stage: str
    reason: str


class RunMetadata(BaseModel):
    provider: str
    model: str
    template: str
    template_hash: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_calls: int = 0
    cache_hits: int = 0
    reasks: int = Field(0, description="Extra model calls made because a reply failed validation.")
    transport_retries: int = Field(0, description="Calls repeated after a transient failure (timeouts, 429, 5xx).")
    tokens_by_stage: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Calls and prompt/completion tokens of each stage (article, briefing)."
    )
    dropped_ungrounded: int = 0
    duplicates: dict[str, str] = Field(default_factory=dict)
    failures: list[Failure] = []
    elapsed_seconds: float = 0.0
    batches: list[str] = Field(default_factory=list, description="Batch API batches that answered this run (--batch).")
    timings: dict[str, float] = Field(
        default_factory=dict,
        description="Seconds spent: model_startup (importing the client, starting the embedded server; "
        "once per process), articles (all extractions), briefing (the briefing call and assembly).",
    )
    summarizer_version: str = ""


ChangeKind = Literal[
    "new_actor", "new_measure", "status_change", "deadline_added", "deadline_moved", "deadline_passed", "question_answered",
]


class Change(BaseModel):
    """One thing that differs from the previous briefing of the story, with the quotes on both sides."""

    kind: ChangeKind
    name: str = Field(description="The actor, measure, event or question it is about.")
    text: str = Field(description="One line for the reader, e.g. 'stopgap bill: proposed -> announced'.")
    before: str = Field("", description="The status or date in the previous briefing (empty for what is new).")
    after: str = Field("", description="The status or date now (empty for a deadline that passed unreported).")
    previous_evidence: list[Quote] = Field(default_factory=list, description="Quotes from the previous briefing's articles.")
    evidence: list[Quote] = Field(default_factory=list, description="Quotes from today's articles.")
    article_ids: list[str] = Field(default_factory=list, description="Today's articles that carry it.")


class StoryMatch(BaseModel):
    """Which story of the previous briefing this one continues, and how sure that is."""

    previous_id: str = Field(description="The story's id in the previous front page ('' for a single briefing).")
    previous_headline: str
    confidence: float = Field(ge=0, le=1, description="0-1: shared actors, measures and wording, combined.")
    shared: list[str] = Field(default_factory=list, description="The actors, measures and terms both share: why they match.")


class StoryChanges(BaseModel):
    """What changed in a story since an earlier briefing of it (`--since`)."""

    since: dt.date = Field(description="The date of the briefing compared with.")
    match: StoryMatch | None = Field(None, description="The earlier story this continues; none for a story new today.")
    changes: list[Change] = Field(default_factory=list, description="Empty for a matched story means no change.")

    @property
    def status(self) -> Literal["new", "changed", "no change"]:
        return "new" if self.match is None else "changed" if self.changes else "no change"


class Briefing(BaseModel):
    """The day's briefing across all articles."""

    date: dt.date
    headline: str = Field(description="One line; its sources are `headline_citations`.")
    headline_citations: list[Quote] = Field(default_factory=list, description="The article sentences the headline rests on.")
    executive_summary: str = Field(description="The sentences of `summary`, joined: checked prose only.")
    summary: list[CitedSentence] = Field(
        default_factory=list,
        description="The executive summary sentence by sentence, each with its citations. A sentence of the "
        "model's whose names, figures or dates its sources do not carry is in `prose_dropped` instead.",
    )
    summary_note: str = Field("", description="Set when the model's summary could not be shown and what stands in for it.")
    prose_dropped: list[DroppedSentence] = Field(
        default_factory=list, description="Sentences of the model's headline, summary and key developments not shown, with why."
    )
    key_developments: list[KeyDevelopment] = []
    actors: list[ConsolidatedActor] = []
    measures: list[ConsolidatedMeasure] = []
    timeline: list[TimelineEntry] = Field(default_factory=list, description="Sorted by date; undated last.")
    source_differences: list[SourceDifference] = []
    open_questions: list[BriefingQuestion] = []
    sources: list[SourceRef] = []
    articles: list[ArticleSummary] = Field(default_factory=list, description="The per-article summaries it was built from.")
    changes: StoryChanges | None = Field(None, description="Set when briefed `--since` an earlier run: what changed since its briefing of this story.")
    metadata: RunMetadata


class FrontPageStory(BaseModel):
    """One story of the day, as the front page lists it."""

    id: str = Field(description="Stable for the same articles; the name of the story's own briefing files.")
    headline: str
    summary: str = Field(description="The first two sentences of the story's checked summary.")
    sources: int = Field(description="How many articles cover it: the front page's order.")
    article_ids: list[str]
    grouped_by: list[str] = Field(default_factory=list, description="The terms its articles share that weigh most: why they were grouped.")
    briefing: str = Field("", description="Where the story's briefing was written, relative to the front page.")
    status: Literal["", "new", "changed", "no change"] = Field("", description="Against the earlier run (`--since`); empty without one.")
    changes: list[str] = Field(default_factory=list, description="One line per change since the earlier run.")
    continues: StoryMatch | None = Field(None, description="The earlier story it continues (`--since`).")


class FrontPage(BaseModel):
    """A day of many stories: each with its own briefing, ranked by how many sources cover it."""

    date: dt.date
    stories: list[FrontPageStory]
    since: dt.date | None = Field(None, description="The date of the earlier run compared with (`--since`).")
    new_stories: list[str] = Field(default_factory=list, description="Ids of today's stories that the earlier run did not have.")
    quiet_stories: list[str] = Field(default_factory=list, description="Headlines of the earlier run's stories no article covers today.")
    metadata: RunMetadata = Field(description="The whole run: every article's calls and every story's briefing call.")


# ---------------------------------------------------------------------------
# Reply models: what the language model fills


class _Reply(BaseModel):
    # Unknown keys are ignored rather than fatal: a model adding a stray field
    # should not cost a whole re-ask.
    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # instructor asks for the schema on every call, and pydantic rebuilds it
        # each time (7 ms, a third of our per-article cost). It only depends on
        # the class and the arguments; callers get a copy they may change.
        # instructor wraps the class anew on each call (same fields, same
        # schema) and marks the wrapper with __wrapped__: key on the original.
        key = (cls.__dict__.get("__wrapped__", cls), args, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        # A schema is plain JSON data: marshal copies it 5x faster than deepcopy.
        return marshal.loads(marshal.dumps(_SCHEMAS[key]))


_SCHEMAS: dict[tuple, dict[str, Any]] = {}


#: The grounder and its texts, set per fill by summarizer.structured (each fill runs in a task of its
#: own, so each sees its own). instructor is given no context: with one it renders every message as a
#: Jinja template, 1.6 ms a call.
validation_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("validation_context", default=None)


def _ground_with_context(reply: BaseModel, info: ValidationInfo) -> BaseModel:
    # The grounder travels in instructor's validation context with the source
    # texts; it filters items in place and raises to ask for a better reply.
    context = info.context
    if context is None:  # filled through instructor: the context travels beside it
        context = validation_context.get() or {}
    grounder = context.get("grounder")
    if grounder is not None:
        grounder.ground(reply, lenient=bool(context.get("lenient")))
    return reply


Evidence = Annotated[list[_short(400)], Field(min_length=1, max_length=2)]


class _Grounded(_Reply):
    # Filled by the grounding validator, never by the model.
    _quotes: list[Quote] = PrivateAttr(default_factory=list)


class ActorReply(_Grounded):
    name: _short(60)  # type: ignore[valid-type]
    role: _short(80) = ""  # type: ignore[valid-type]
    affiliation: _short(60) = ""  # type: ignore[valid-type]
    evidence: Evidence


class MeasureReply(_Grounded):
    name: _short(100)  # type: ignore[valid-type]
    kind: MeasureKind = "other"
    imposed_by: _short(60) = ""  # type: ignore[valid-type]
    imposed_on: _short(60) = ""  # type: ignore[valid-type]
    status: MeasureStatus = "unknown"
    effective_date_text: _short(60) = ""  # type: ignore[valid-type]
    evidence: Evidence


class DeadlineReply(_Grounded):
    date_text: _short(60)  # type: ignore[valid-type]
    event: _short(150)  # type: ignore[valid-type]
    kind: EventKind = "other"
    certainty: Certainty = "expected"
    evidence: Evidence


class QuestionReply(_Grounded):
    question: _short(200)  # type: ignore[valid-type]
    evidence: Evidence


class ArticleReply(_Reply):
    summary: _short(600)  # type: ignore[valid-type]
    actors: list[ActorReply] = Field(default_factory=list, max_length=8)
    measures: list[MeasureReply] = Field(default_factory=list, max_length=6)
    deadlines: list[DeadlineReply] = Field(default_factory=list, max_length=6)
    open_questions: list[QuestionReply] = Field(default_factory=list, max_length=4)

    _ground = model_validator(mode="after")(_ground_with_context)


class KeyDevelopmentReply(_Grounded):
    text: _short(300)  # type: ignore[valid-type]
    evidence: Evidence


class ClaimReply(_Grounded):
    article_id: str
    claim: _short(200)  # type: ignore[valid-type]
    evidence: Annotated[list[_short(400)], Field(default_factory=list, max_length=2)]  # type: ignore[valid-type]


class SourceDifferenceReply(_Reply):
    topic: _short(100)  # type: ignore[valid-type]
    claims: list[ClaimReply] = Field(min_length=2, max_length=4)


class BriefingQuestionReply(_Grounded):
    question: _short(200)  # type: ignore[valid-type]
    evidence: Evidence


class BriefingReply(_Reply):
    headline: _short(150)  # type: ignore[valid-type]
    executive_summary: _short(900)  # type: ignore[valid-type]
    key_developments: list[KeyDevelopmentReply] = Field(default_factory=list, max_length=6)
    source_differences: list[SourceDifferenceReply] = Field(default_factory=list, max_length=4)
    open_questions: list[BriefingQuestionReply] = Field(default_factory=list, max_length=6)

    _ground = model_validator(mode="after")(_ground_with_context)


# ---------------------------------------------------------------------------
# JSON Schema export

EXPORTED: dict[str, type[BaseModel]] = {
    "article_summary": ArticleSummary,
    "briefing": Briefing,
    "front_page": FrontPage,
}


def json_schemas() -> dict[str, str]:
    """File name -> JSON text of every exported schema (stable formatting)."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in EXPORTED.items()
    }
