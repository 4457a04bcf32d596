from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.change_kind import ChangeKind
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.quote import Quote





T = TypeVar("T", bound="Change")



@_attrs_define
class Change:
    """ One thing that differs from the previous briefing of the story, with the quotes on both sides.

        Attributes:
            kind (ChangeKind):
            name (str): The actor, measure, event or question it is about.
            text (str): One line for the reader, e.g. 'stopgap bill: proposed -> announced'.
            after (str | Unset): The status or date now (empty for a deadline that passed unreported). Default: ''.
            article_ids (list[str] | Unset): Today's articles that carry it.
            before (str | Unset): The status or date in the previous briefing (empty for what is new). Default: ''.
            evidence (list[Quote] | Unset): Quotes from today's articles.
            previous_evidence (list[Quote] | Unset): Quotes from the previous briefing's articles.
     """

    kind: ChangeKind
    name: str
    text: str
    after: str | Unset = ''
    article_ids: list[str] | Unset = UNSET
    before: str | Unset = ''
    evidence: list[Quote] | Unset = UNSET
    previous_evidence: list[Quote] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.quote import Quote # noqa: PLC0415
        kind = self.kind.value

        name = self.name

        text = self.text

        after = self.after

        article_ids: list[str] | Unset = UNSET
        if not isinstance(self.article_ids, Unset):
            article_ids = self.article_ids



        before = self.before

        evidence: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evidence, Unset):
            evidence = []
            for evidence_item_data in self.evidence:
                evidence_item = evidence_item_data.to_dict()
                evidence.append(evidence_item)



        previous_evidence: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.previous_evidence, Unset):
            previous_evidence = []
            for previous_evidence_item_data in self.previous_evidence:
                previous_evidence_item = previous_evidence_item_data.to_dict()
                previous_evidence.append(previous_evidence_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "kind": kind,
            "name": name,
            "text": text,
        })
        if after is not UNSET:
            field_dict["after"] = after
        if article_ids is not UNSET:
            field_dict["article_ids"] = article_ids
        if before is not UNSET:
            field_dict["before"] = before
        if evidence is not UNSET:
            field_dict["evidence"] = evidence
        if previous_evidence is not UNSET:
            field_dict["previous_evidence"] = previous_evidence

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
        kind = ChangeKind(d.pop("kind"))




        name = d.pop("name")

        text = d.pop("text")

        after = d.pop("after", UNSET)

        article_ids = cast(list[str], d.pop("article_ids", UNSET))


        before = d.pop("before", UNSET)

        _evidence = d.pop("evidence", UNSET)
        evidence: list[Quote] | Unset = UNSET
        if _evidence is not UNSET:
            evidence = []
            for evidence_item_data in _evidence:
                evidence_item = Quote.from_dict(evidence_item_data)



                evidence.append(evidence_item)


        _previous_evidence = d.pop("previous_evidence", UNSET)
        previous_evidence: list[Quote] | Unset = UNSET
        if _previous_evidence is not UNSET:
            previous_evidence = []
            for previous_evidence_item_data in _previous_evidence:
                previous_evidence_item = Quote.from_dict(previous_evidence_item_data)



                previous_evidence.append(previous_evidence_item)


        change = cls(
            kind=kind,
            name=name,
            text=text,
            after=after,
            article_ids=article_ids,
            before=before,
            evidence=evidence,
            previous_evidence=previous_evidence,
        )


        change.additional_properties = d
        return change

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
