from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.quote import Quote





T = TypeVar("T", bound="CitedSentence")



@_attrs_define
class CitedSentence:
    """ One sentence of the briefing's prose and the article sentences it rests on.

        Attributes:
            citations (list[Quote]): Sentences of the articles that carry every name, figure and date of `text` (and most of
                its words), with their character spans.
            text (str):
     """

    citations: list[Quote]
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.quote import Quote # noqa: PLC0415
        citations = []
        for citations_item_data in self.citations:
            citations_item = citations_item_data.to_dict()
            citations.append(citations_item)



        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "citations": citations,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
        citations = []
        _citations = d.pop("citations")
        for citations_item_data in (_citations):
            citations_item = Quote.from_dict(citations_item_data)



            citations.append(citations_item)


        text = d.pop("text")

        cited_sentence = cls(
            citations=citations,
            text=text,
        )


        cited_sentence.additional_properties = d
        return cited_sentence

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
