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
  from ..models.actor import Actor
  from ..models.deadline import Deadline
  from ..models.measure import Measure
  from ..models.open_question import OpenQuestion





T = TypeVar("T", bound="ArticleSummary")



@_attrs_define
class ArticleSummary:
    """ What one article says, every item grounded in a quote of it.

        Attributes:
            article_id (str):
            summary (str):
            actors (list[Actor] | Unset):
            attempts (int | Unset): Model calls made for this article, re-asks included. Default: 1.
            chunks (int | Unset): Parts the article was split into to fit the model's context. Default: 1.
            deadlines (list[Deadline] | Unset):
            dropped (int | Unset): Items the model gave that failed grounding and were removed. Default: 0.
            dropped_reasons (list[str] | Unset): Why each dropped item was removed.
            measures (list[Measure] | Unset):
            open_questions (list[OpenQuestion] | Unset):
            published (datetime.date | None | Unset):
            source (None | str | Unset):
            title (None | str | Unset):
     """

    article_id: str
    summary: str
    actors: list[Actor] | Unset = UNSET
    attempts: int | Unset = 1
    chunks: int | Unset = 1
    deadlines: list[Deadline] | Unset = UNSET
    dropped: int | Unset = 0
    dropped_reasons: list[str] | Unset = UNSET
    measures: list[Measure] | Unset = UNSET
    open_questions: list[OpenQuestion] | Unset = UNSET
    published: datetime.date | None | Unset = UNSET
    source: None | str | Unset = UNSET
    title: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.actor import Actor # noqa: PLC0415
        from ..models.deadline import Deadline # noqa: PLC0415
        from ..models.measure import Measure # noqa: PLC0415
        from ..models.open_question import OpenQuestion # noqa: PLC0415
        article_id = self.article_id

        summary = self.summary

        actors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.actors, Unset):
            actors = []
            for actors_item_data in self.actors:
                actors_item = actors_item_data.to_dict()
                actors.append(actors_item)



        attempts = self.attempts

        chunks = self.chunks

        deadlines: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.deadlines, Unset):
            deadlines = []
            for deadlines_item_data in self.deadlines:
                deadlines_item = deadlines_item_data.to_dict()
                deadlines.append(deadlines_item)



        dropped = self.dropped

        dropped_reasons: list[str] | Unset = UNSET
        if not isinstance(self.dropped_reasons, Unset):
            dropped_reasons = self.dropped_reasons



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



        published: None | str | Unset
        if isinstance(self.published, Unset):
            published = UNSET
        elif isinstance(self.published, datetime.date):
            published = self.published.isoformat()
        else:
            published = self.published

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_id": article_id,
            "summary": summary,
        })
        if actors is not UNSET:
            field_dict["actors"] = actors
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if chunks is not UNSET:
            field_dict["chunks"] = chunks
        if deadlines is not UNSET:
            field_dict["deadlines"] = deadlines
        if dropped is not UNSET:
            field_dict["dropped"] = dropped
        if dropped_reasons is not UNSET:
            field_dict["dropped_reasons"] = dropped_reasons
        if measures is not UNSET:
            field_dict["measures"] = measures
        if open_questions is not UNSET:
            field_dict["open_questions"] = open_questions
        if published is not UNSET:
            field_dict["published"] = published
        if source is not UNSET:
            field_dict["source"] = source
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.actor import Actor # noqa: PLC0415
        from ..models.deadline import Deadline # noqa: PLC0415
        from ..models.measure import Measure # noqa: PLC0415
        from ..models.open_question import OpenQuestion # noqa: PLC0415
        d = dict(src_dict)
        article_id = d.pop("article_id")

        summary = d.pop("summary")

        _actors = d.pop("actors", UNSET)
        actors: list[Actor] | Unset = UNSET
        if _actors is not UNSET:
            actors = []
            for actors_item_data in _actors:
                actors_item = Actor.from_dict(actors_item_data)



                actors.append(actors_item)


        attempts = d.pop("attempts", UNSET)

        chunks = d.pop("chunks", UNSET)

        _deadlines = d.pop("deadlines", UNSET)
        deadlines: list[Deadline] | Unset = UNSET
        if _deadlines is not UNSET:
            deadlines = []
            for deadlines_item_data in _deadlines:
                deadlines_item = Deadline.from_dict(deadlines_item_data)



                deadlines.append(deadlines_item)


        dropped = d.pop("dropped", UNSET)

        dropped_reasons = cast(list[str], d.pop("dropped_reasons", UNSET))


        _measures = d.pop("measures", UNSET)
        measures: list[Measure] | Unset = UNSET
        if _measures is not UNSET:
            measures = []
            for measures_item_data in _measures:
                measures_item = Measure.from_dict(measures_item_data)



                measures.append(measures_item)


        _open_questions = d.pop("open_questions", UNSET)
        open_questions: list[OpenQuestion] | Unset = UNSET
        if _open_questions is not UNSET:
            open_questions = []
            for open_questions_item_data in _open_questions:
                open_questions_item = OpenQuestion.from_dict(open_questions_item_data)



                open_questions.append(open_questions_item)


        def _parse_published(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                published_type_0 = datetime.date.fromisoformat(data)



                return published_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        published = _parse_published(d.pop("published", UNSET))


        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))


        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))


        article_summary = cls(
            article_id=article_id,
            summary=summary,
            actors=actors,
            attempts=attempts,
            chunks=chunks,
            deadlines=deadlines,
            dropped=dropped,
            dropped_reasons=dropped_reasons,
            measures=measures,
            open_questions=open_questions,
            published=published,
            source=source,
            title=title,
        )


        article_summary.additional_properties = d
        return article_summary

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
