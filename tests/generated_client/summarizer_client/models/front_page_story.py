from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.front_page_story_status import FrontPageStoryStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.story_match import StoryMatch





T = TypeVar("T", bound="FrontPageStory")



@_attrs_define
class FrontPageStory:
    """ One story of the day, as the front page lists it.

        Attributes:
            article_ids (list[str]):
            headline (str):
            id (str): Stable for the same articles; the name of the story's own briefing files.
            sources (int): How many articles cover it: the front page's order.
            summary (str): The first two sentences of the story's checked summary.
            briefing (str | Unset): Where the story's briefing was written, relative to the front page. Default: ''.
            changes (list[str] | Unset): One line per change since the earlier run.
            continues (None | StoryMatch | Unset): The earlier story it continues (`--since`).
            grouped_by (list[str] | Unset): The terms its articles share that weigh most: why they were grouped.
            status (FrontPageStoryStatus | Unset): Against the earlier run (`--since`); empty without one. Default:
                FrontPageStoryStatus.VALUE_0.
     """

    article_ids: list[str]
    headline: str
    id: str
    sources: int
    summary: str
    briefing: str | Unset = ''
    changes: list[str] | Unset = UNSET
    continues: None | StoryMatch | Unset = UNSET
    grouped_by: list[str] | Unset = UNSET
    status: FrontPageStoryStatus | Unset = FrontPageStoryStatus.VALUE_0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.story_match import StoryMatch # noqa: PLC0415
        article_ids = self.article_ids



        headline = self.headline

        id = self.id

        sources = self.sources

        summary = self.summary

        briefing = self.briefing

        changes: list[str] | Unset = UNSET
        if not isinstance(self.changes, Unset):
            changes = self.changes



        continues: dict[str, Any] | None | Unset
        if isinstance(self.continues, Unset):
            continues = UNSET
        elif isinstance(self.continues, StoryMatch):
            continues = self.continues.to_dict()
        else:
            continues = self.continues

        grouped_by: list[str] | Unset = UNSET
        if not isinstance(self.grouped_by, Unset):
            grouped_by = self.grouped_by



        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value



        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_ids": article_ids,
            "headline": headline,
            "id": id,
            "sources": sources,
            "summary": summary,
        })
        if briefing is not UNSET:
            field_dict["briefing"] = briefing
        if changes is not UNSET:
            field_dict["changes"] = changes
        if continues is not UNSET:
            field_dict["continues"] = continues
        if grouped_by is not UNSET:
            field_dict["grouped_by"] = grouped_by
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.story_match import StoryMatch # noqa: PLC0415
        d = dict(src_dict)
        article_ids = cast(list[str], d.pop("article_ids"))


        headline = d.pop("headline")

        id = d.pop("id")

        sources = d.pop("sources")

        summary = d.pop("summary")

        briefing = d.pop("briefing", UNSET)

        changes = cast(list[str], d.pop("changes", UNSET))


        def _parse_continues(data: object) -> None | StoryMatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                continues_type_0 = StoryMatch.from_dict(data)



                return continues_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StoryMatch | Unset, data)

        continues = _parse_continues(d.pop("continues", UNSET))


        grouped_by = cast(list[str], d.pop("grouped_by", UNSET))


        _status = d.pop("status", UNSET)
        status: FrontPageStoryStatus | Unset
        if isinstance(_status,  Unset):
            status = UNSET
        else:
            status = FrontPageStoryStatus(_status)




        front_page_story = cls(
            article_ids=article_ids,
            headline=headline,
            id=id,
            sources=sources,
            summary=summary,
            briefing=briefing,
            changes=changes,
            continues=continues,
            grouped_by=grouped_by,
            status=status,
        )


        front_page_story.additional_properties = d
        return front_page_story

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
