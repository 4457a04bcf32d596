from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="StoryMatch")



@_attrs_define
class StoryMatch:
    """ Which story of the previous briefing this one continues, and how sure that is.

        Attributes:
            confidence (float): 0-1: shared actors, measures and wording, combined.
            previous_headline (str):
            previous_id (str): The story's id in the previous front page ('' for a single briefing).
            shared (list[str] | Unset): The actors, measures and terms both share: why they match.
     """

    confidence: float
    previous_headline: str
    previous_id: str
    shared: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        confidence = self.confidence

        previous_headline = self.previous_headline

        previous_id = self.previous_id

        shared: list[str] | Unset = UNSET
        if not isinstance(self.shared, Unset):
            shared = self.shared




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "confidence": confidence,
            "previous_headline": previous_headline,
            "previous_id": previous_id,
        })
        if shared is not UNSET:
            field_dict["shared"] = shared

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        confidence = d.pop("confidence")

        previous_headline = d.pop("previous_headline")

        previous_id = d.pop("previous_id")

        shared = cast(list[str], d.pop("shared", UNSET))


        story_match = cls(
            confidence=confidence,
            previous_headline=previous_headline,
            previous_id=previous_id,
            shared=shared,
        )


        story_match.additional_properties = d
        return story_match

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
