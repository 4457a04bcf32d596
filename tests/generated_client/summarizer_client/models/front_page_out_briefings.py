from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.briefing import Briefing





T = TypeVar("T", bound="FrontPageOutBriefings")



@_attrs_define
class FrontPageOutBriefings:
    """ Each story's own briefing, by story id.

     """

    additional_properties: dict[str, Briefing] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.briefing import Briefing # noqa: PLC0415
        
        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()


        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.briefing import Briefing # noqa: PLC0415
        d = dict(src_dict)
        front_page_out_briefings = cls(
        )


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
        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = Briefing.from_dict(prop_dict)



            additional_properties[prop_name] = additional_property

        front_page_out_briefings.additional_properties = additional_properties
        return front_page_out_briefings

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Briefing:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Briefing) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
