from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.timeline_entry_certainty import TimelineEntryCertainty
from ..models.timeline_entry_kind import TimelineEntryKind
from ..models.timeline_entry_precision_type_0 import TimelineEntryPrecisionType0
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.quote import Quote





T = TypeVar("T", bound="TimelineEntry")



@_attrs_define
class TimelineEntry:
    """ 
        Attributes:
            article_ids (list[str]):
            date (datetime.date | None):
            event (str):
            evidence (list[Quote]):
            certainty (TimelineEntryCertainty | Unset):  Default: TimelineEntryCertainty.EXPECTED.
            date_texts (list[str] | Unset): The date as each source wrote it.
            kind (TimelineEntryKind | Unset):  Default: TimelineEntryKind.OTHER.
            precision (None | TimelineEntryPrecisionType0 | Unset):
     """

    article_ids: list[str]
    date: datetime.date | None
    event: str
    evidence: list[Quote]
    certainty: TimelineEntryCertainty | Unset = TimelineEntryCertainty.EXPECTED
    date_texts: list[str] | Unset = UNSET
    kind: TimelineEntryKind | Unset = TimelineEntryKind.OTHER
    precision: None | TimelineEntryPrecisionType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.quote import Quote # noqa: PLC0415
        article_ids = self.article_ids



        date: None | str
        if isinstance(self.date, datetime.date):
            date = self.date.isoformat()
        else:
            date = self.date

        event = self.event

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)



        certainty: str | Unset = UNSET
        if not isinstance(self.certainty, Unset):
            certainty = self.certainty.value


        date_texts: list[str] | Unset = UNSET
        if not isinstance(self.date_texts, Unset):
            date_texts = self.date_texts



        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value


        precision: None | str | Unset
        if isinstance(self.precision, Unset):
            precision = UNSET
        elif isinstance(self.precision, TimelineEntryPrecisionType0):
            precision = self.precision.value
        else:
            precision = self.precision


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_ids": article_ids,
            "date": date,
            "event": event,
            "evidence": evidence,
        })
        if certainty is not UNSET:
            field_dict["certainty"] = certainty
        if date_texts is not UNSET:
            field_dict["date_texts"] = date_texts
        if kind is not UNSET:
            field_dict["kind"] = kind
        if precision is not UNSET:
            field_dict["precision"] = precision

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
        article_ids = cast(list[str], d.pop("article_ids"))


        def _parse_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_type_0 = datetime.date.fromisoformat(data)



                return date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        date = _parse_date(d.pop("date"))


        event = d.pop("event")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in (_evidence):
            evidence_item = Quote.from_dict(evidence_item_data)



            evidence.append(evidence_item)


        _certainty = d.pop("certainty", UNSET)
        certainty: TimelineEntryCertainty | Unset
        if isinstance(_certainty,  Unset):
            certainty = UNSET
        else:
            certainty = TimelineEntryCertainty(_certainty)




        date_texts = cast(list[str], d.pop("date_texts", UNSET))


        _kind = d.pop("kind", UNSET)
        kind: TimelineEntryKind | Unset
        if isinstance(_kind,  Unset):
            kind = UNSET
        else:
            kind = TimelineEntryKind(_kind)




        def _parse_precision(data: object) -> None | TimelineEntryPrecisionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                precision_type_0 = TimelineEntryPrecisionType0(data)



                return precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TimelineEntryPrecisionType0 | Unset, data)

        precision = _parse_precision(d.pop("precision", UNSET))


        timeline_entry = cls(
            article_ids=article_ids,
            date=date,
            event=event,
            evidence=evidence,
            certainty=certainty,
            date_texts=date_texts,
            kind=kind,
            precision=precision,
        )


        timeline_entry.additional_properties = d
        return timeline_entry

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
