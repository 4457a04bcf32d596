from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.quote import Quote





T = TypeVar("T", bound="KeyDevelopment")



@_attrs_define
class KeyDevelopment:
    """ 
        Attributes:
            article_ids (list[str]):
            evidence (list[Quote]):
            text (str):
     """

    article_ids: list[str]
    evidence: list[Quote]
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.quote import Quote # noqa: PLC0415
        article_ids = self.article_ids



        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)



        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_ids": article_ids,
            "evidence": evidence,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
        article_ids = cast(list[str], d.pop("article_ids"))


        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in (_evidence):
            evidence_item = Quote.from_dict(evidence_item_data)



            evidence.append(evidence_item)


        text = d.pop("text")

        key_development = cls(
            article_ids=article_ids,
            evidence=evidence,
            text=text,
        )


        key_development.additional_properties = d
        return key_development

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
