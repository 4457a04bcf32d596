from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.article_summary import ArticleSummary
  from ..models.briefing_question import BriefingQuestion
  from ..models.cited_sentence import CitedSentence
  from ..models.consolidated_actor import ConsolidatedActor
  from ..models.consolidated_measure import ConsolidatedMeasure
  from ..models.dropped_sentence import DroppedSentence
  from ..models.key_development import KeyDevelopment
  from ..models.quote import Quote
  from ..models.run_metadata import RunMetadata
  from ..models.source_difference import SourceDifference
  from ..models.source_ref import SourceRef
  from ..models.story_changes import StoryChanges
  from ..models.timeline_entry import TimelineEntry





T = TypeVar("T", bound="Briefing")



@_attrs_define
class Briefing:
    """ The day's briefing across all articles.

        Attributes:
            date (datetime.date):
            executive_summary (str): The sentences of `summary`, joined: checked prose only.
            headline (str): One line; its sources are `headline_citations`.
            metadata (RunMetadata):
            actors (list[ConsolidatedActor] | Unset):
            articles (list[ArticleSummary] | Unset): The per-article summaries it was built from.
            changes (None | StoryChanges | Unset): Set when briefed `--since` an earlier run: what changed since its
                briefing of this story.
            headline_citations (list[Quote] | Unset): The article sentences the headline rests on.
            key_developments (list[KeyDevelopment] | Unset):
            measures (list[ConsolidatedMeasure] | Unset):
            open_questions (list[BriefingQuestion] | Unset):
            prose_dropped (list[DroppedSentence] | Unset): Sentences of the model's headline, summary and key developments
                not shown, with why.
            source_differences (list[SourceDifference] | Unset):
            sources (list[SourceRef] | Unset):
            summary (list[CitedSentence] | Unset): The executive summary sentence by sentence, each with its citations. A
                sentence of the model's whose names, figures or dates its sources do not carry is in `prose_dropped` instead.
            summary_note (str | Unset): Set when the model's summary could not be shown and what stands in for it. Default:
                ''.
            timeline (list[TimelineEntry] | Unset): Sorted by date; undated last.
     """

    date: datetime.date
    executive_summary: str
    headline: str
    metadata: RunMetadata
    actors: list[ConsolidatedActor] | Unset = UNSET
    articles: list[ArticleSummary] | Unset = UNSET
    changes: None | StoryChanges | Unset = UNSET
    headline_citations: list[Quote] | Unset = UNSET
    key_developments: list[KeyDevelopment] | Unset = UNSET
    measures: list[ConsolidatedMeasure] | Unset = UNSET
    open_questions: list[BriefingQuestion] | Unset = UNSET
    prose_dropped: list[DroppedSentence] | Unset = UNSET
    source_differences: list[SourceDifference] | Unset = UNSET
    sources: list[SourceRef] | Unset = UNSET
    summary: list[CitedSentence] | Unset = UNSET
    summary_note: str | Unset = ''
    timeline: list[TimelineEntry] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.article_summary import ArticleSummary # noqa: PLC0415
        from ..models.briefing_question import BriefingQuestion # noqa: PLC0415
        from ..models.cited_sentence import CitedSentence # noqa: PLC0415
        from ..models.consolidated_actor import ConsolidatedActor # noqa: PLC0415
        from ..models.consolidated_measure import ConsolidatedMeasure # noqa: PLC0415
        from ..models.dropped_sentence import DroppedSentence # noqa: PLC0415
        from ..models.key_development import KeyDevelopment # noqa: PLC0415
        from ..models.quote import Quote # noqa: PLC0415
        from ..models.run_metadata import RunMetadata # noqa: PLC0415
        from ..models.source_difference import SourceDifference # noqa: PLC0415
        from ..models.source_ref import SourceRef # noqa: PLC0415
        from ..models.story_changes import StoryChanges # noqa: PLC0415
        from ..models.timeline_entry import TimelineEntry # noqa: PLC0415
        date = self.date.isoformat()

        executive_summary = self.executive_summary

        headline = self.headline

        metadata = self.metadata.to_dict()

        actors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.actors, Unset):
            actors = []
            for actors_item_data in self.actors:
                actors_item = actors_item_data.to_dict()
                actors.append(actors_item)



        articles: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.articles, Unset):
            articles = []
            for articles_item_data in self.articles:
                articles_item = articles_item_data.to_dict()
                articles.append(articles_item)



        changes: dict[str, Any] | None | Unset
        if isinstance(self.changes, Unset):
            changes = UNSET
        elif isinstance(self.changes, StoryChanges):
            changes = self.changes.to_dict()
        else:
            changes = self.changes

        headline_citations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.headline_citations, Unset):
            headline_citations = []
            for headline_citations_item_data in self.headline_citations:
                headline_citations_item = headline_citations_item_data.to_dict()
                headline_citations.append(headline_citations_item)



        key_developments: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.key_developments, Unset):
            key_developments = []
            for key_developments_item_data in self.key_developments:
                key_developments_item = key_developments_item_data.to_dict()
                key_developments.append(key_developments_item)



        measures: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.measures, Unset):
            measures = []
            for measures_item_data in self.measures:
                measures_item = measures_item_data.to_dict()
                measures.append(measures_item)



        open_questions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.open_questions, Unset):
            open_questions = []
            for open_questions_item_data in self.open_questions:
                open_questions_item = open_questions_item_data.to_dict()
                open_questions.append(open_questions_item)



        prose_dropped: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.prose_dropped, Unset):
            prose_dropped = []
            for prose_dropped_item_data in self.prose_dropped:
                prose_dropped_item = prose_dropped_item_data.to_dict()
                prose_dropped.append(prose_dropped_item)



        source_differences: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.source_differences, Unset):
            source_differences = []
            for source_differences_item_data in self.source_differences:
                source_differences_item = source_differences_item_data.to_dict()
                source_differences.append(source_differences_item)



        sources: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = []
            for sources_item_data in self.sources:
                sources_item = sources_item_data.to_dict()
                sources.append(sources_item)



        summary: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.summary, Unset):
            summary = []
            for summary_item_data in self.summary:
                summary_item = summary_item_data.to_dict()
                summary.append(summary_item)



        summary_note = self.summary_note

        timeline: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.timeline, Unset):
            timeline = []
            for timeline_item_data in self.timeline:
                timeline_item = timeline_item_data.to_dict()
                timeline.append(timeline_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "date": date,
            "executive_summary": executive_summary,
            "headline": headline,
            "metadata": metadata,
        })
        if actors is not UNSET:
            field_dict["actors"] = actors
        if articles is not UNSET:
            field_dict["articles"] = articles
        if changes is not UNSET:
            field_dict["changes"] = changes
        if headline_citations is not UNSET:
            field_dict["headline_citations"] = headline_citations
        if key_developments is not UNSET:
            field_dict["key_developments"] = key_developments
        if measures is not UNSET:
            field_dict["measures"] = measures
        if open_questions is not UNSET:
            field_dict["open_questions"] = open_questions
        if prose_dropped is not UNSET:
            field_dict["prose_dropped"] = prose_dropped
        if source_differences is not UNSET:
            field_dict["source_differences"] = source_differences
        if sources is not UNSET:
            field_dict["sources"] = sources
        if summary is not UNSET:
            field_dict["summary"] = summary
        if summary_note is not UNSET:
            field_dict["summary_note"] = summary_note
        if timeline is not UNSET:
            field_dict["timeline"] = timeline

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.article_summary import ArticleSummary # noqa: PLC0415
        from ..models.briefing_question import BriefingQuestion # noqa: PLC0415
        from ..models.cited_sentence import CitedSentence # noqa: PLC0415
        from ..models.consolidated_actor import ConsolidatedActor # noqa: PLC0415
        from ..models.consolidated_measure import ConsolidatedMeasure # noqa: PLC0415
        from ..models.dropped_sentence import DroppedSentence # noqa: PLC0415
        from ..models.key_development import KeyDevelopment # noqa: PLC0415
        from ..models.quote import Quote # noqa: PLC0415
        from ..models.run_metadata import RunMetadata # noqa: PLC0415
        from ..models.source_difference import SourceDifference # noqa: PLC0415
        from ..models.source_ref import SourceRef # noqa: PLC0415
        from ..models.story_changes import StoryChanges # noqa: PLC0415
        from ..models.timeline_entry import TimelineEntry # noqa: PLC0415
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))




        executive_summary = d.pop("executive_summary")

        headline = d.pop("headline")

        metadata = RunMetadata.from_dict(d.pop("metadata"))




        _actors = d.pop("actors", UNSET)
        actors: list[ConsolidatedActor] | Unset = UNSET
        if _actors is not UNSET:
            actors = []
            for actors_item_data in _actors:
                actors_item = ConsolidatedActor.from_dict(actors_item_data)



                actors.append(actors_item)


        _articles = d.pop("articles", UNSET)
        articles: list[ArticleSummary] | Unset = UNSET
        if _articles is not UNSET:
            articles = []
            for articles_item_data in _articles:
                articles_item = ArticleSummary.from_dict(articles_item_data)



                articles.append(articles_item)


        def _parse_changes(data: object) -> None | StoryChanges | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_type_0 = StoryChanges.from_dict(data)



                return changes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StoryChanges | Unset, data)

        changes = _parse_changes(d.pop("changes", UNSET))


        _headline_citations = d.pop("headline_citations", UNSET)
        headline_citations: list[Quote] | Unset = UNSET
        if _headline_citations is not UNSET:
            headline_citations = []
            for headline_citations_item_data in _headline_citations:
                headline_citations_item = Quote.from_dict(headline_citations_item_data)



                headline_citations.append(headline_citations_item)


        _key_developments = d.pop("key_developments", UNSET)
        key_developments: list[KeyDevelopment] | Unset = UNSET
        if _key_developments is not UNSET:
            key_developments = []
            for key_developments_item_data in _key_developments:
                key_developments_item = KeyDevelopment.from_dict(key_developments_item_data)



                key_developments.append(key_developments_item)


        _measures = d.pop("measures", UNSET)
        measures: list[ConsolidatedMeasure] | Unset = UNSET
        if _measures is not UNSET:
            measures = []
            for measures_item_data in _measures:
                measures_item = ConsolidatedMeasure.from_dict(measures_item_data)



                measures.append(measures_item)


        _open_questions = d.pop("open_questions", UNSET)
        open_questions: list[BriefingQuestion] | Unset = UNSET
        if _open_questions is not UNSET:
            open_questions = []
            for open_questions_item_data in _open_questions:
                open_questions_item = BriefingQuestion.from_dict(open_questions_item_data)



                open_questions.append(open_questions_item)


        _prose_dropped = d.pop("prose_dropped", UNSET)
        prose_dropped: list[DroppedSentence] | Unset = UNSET
        if _prose_dropped is not UNSET:
            prose_dropped = []
            for prose_dropped_item_data in _prose_dropped:
                prose_dropped_item = DroppedSentence.from_dict(prose_dropped_item_data)



                prose_dropped.append(prose_dropped_item)


        _source_differences = d.pop("source_differences", UNSET)
        source_differences: list[SourceDifference] | Unset = UNSET
        if _source_differences is not UNSET:
            source_differences = []
            for source_differences_item_data in _source_differences:
                source_differences_item = SourceDifference.from_dict(source_differences_item_data)



                source_differences.append(source_differences_item)


        _sources = d.pop("sources", UNSET)
        sources: list[SourceRef] | Unset = UNSET
        if _sources is not UNSET:
            sources = []
            for sources_item_data in _sources:
                sources_item = SourceRef.from_dict(sources_item_data)



                sources.append(sources_item)


        _summary = d.pop("summary", UNSET)
        summary: list[CitedSentence] | Unset = UNSET
        if _summary is not UNSET:
            summary = []
            for summary_item_data in _summary:
                summary_item = CitedSentence.from_dict(summary_item_data)



                summary.append(summary_item)


        summary_note = d.pop("summary_note", UNSET)

        _timeline = d.pop("timeline", UNSET)
        timeline: list[TimelineEntry] | Unset = UNSET
        if _timeline is not UNSET:
            timeline = []
            for timeline_item_data in _timeline:
                timeline_item = TimelineEntry.from_dict(timeline_item_data)



                timeline.append(timeline_item)


        briefing = cls(
            date=date,
            executive_summary=executive_summary,
            headline=headline,
            metadata=metadata,
            actors=actors,
            articles=articles,
            changes=changes,
            headline_citations=headline_citations,
            key_developments=key_developments,
            measures=measures,
            open_questions=open_questions,
            prose_dropped=prose_dropped,
            source_differences=source_differences,
            sources=sources,
            summary=summary,
            summary_note=summary_note,
            timeline=timeline,
        )


        briefing.additional_properties = d
        return briefing

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
