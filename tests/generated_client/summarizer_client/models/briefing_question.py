from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.quote import Quote





T = TypeVar("T", bound="BriefingQuestion")



@_attrs_define
class BriefingQuestion:
    """ 
        Attributes:
            question (str):
            article_ids (list[str] | Unset):
            evidence (list[Quote] | Unset):
     """

    question: str
    article_ids: list[str] | Unset = UNSET
    evidence: list[Quote] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.quote import Quote # noqa: PLC0415
        question = self.question

        article_ids: list[str] | Unset = UNSET
        if not isinstance(self.article_ids, Unset):
            article_ids = self.article_ids



        evidence: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evidence, Unset):
            evidence = []
            for evidence_item_data in self.evidence:
                evidence_item = evidence_item_data.to_dict()
                evidence.append(evidence_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "question": question,
        })
        if article_ids is not UNSET:
            field_dict["article_ids"] = article_ids
        if evidence is not UNSET:
            field_dict["evidence"] = evidence

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
        question = d.pop("question")

        article_ids = cast(list[str], d.pop("article_ids", UNSET))


        _evidence = d.pop("evidence", UNSET)
        evidence: list[Quote] | Unset = UNSET
        if _evidence is not UNSET:
            evidence = []
            for evidence_item_data in _evidence:
                evidence_item = Quote.from_dict(evidence_item_data)



                evidence.append(evidence_item)


        briefing_question = cls(
            question=question,
            article_ids=article_ids,
            evidence=evidence,
        )


        briefing_question.additional_properties = d
        return briefing_question

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
