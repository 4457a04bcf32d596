from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Quote")



@_attrs_define
class Quote:
    """ A verbatim passage of an article, located by character offsets.

        Attributes:
            article_id (str):
            end (int): Offset one past the last character.
            score (float): Alignment score: 100 is an exact match after normalisation.
            start (int): Offset of the first character in Article.text.
            text (str): The passage exactly as it stands in the article.
     """

    article_id: str
    end: int
    score: float
    start: int
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        article_id = self.article_id

        end = self.end

        score = self.score

        start = self.start

        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_id": article_id,
            "end": end,
            "score": score,
            "start": start,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        article_id = d.pop("article_id")

        end = d.pop("end")

        score = d.pop("score")

        start = d.pop("start")

        text = d.pop("text")

        quote = cls(
            article_id=article_id,
            end=end,
            score=score,
            start=start,
            text=text,
        )


        quote.additional_properties = d
        return quote

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
