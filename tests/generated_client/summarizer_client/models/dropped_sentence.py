from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.dropped_sentence_section import DroppedSentenceSection






T = TypeVar("T", bound="DroppedSentence")



@_attrs_define
class DroppedSentence:
    """ A sentence of the model's prose that is not shown, and why.

        Attributes:
            reason (str):
            section (DroppedSentenceSection):
            text (str):
     """

    reason: str
    section: DroppedSentenceSection
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        section = self.section.value

        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "reason": reason,
            "section": section,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        section = DroppedSentenceSection(d.pop("section"))




        text = d.pop("text")

        dropped_sentence = cls(
            reason=reason,
            section=section,
            text=text,
        )


        dropped_sentence.additional_properties = d
        return dropped_sentence

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
