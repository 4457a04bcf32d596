from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.deadline_certainty import DeadlineCertainty
from ..models.deadline_kind import DeadlineKind
from ..models.deadline_precision_type_0 import DeadlinePrecisionType0
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.quote import Quote





T = TypeVar("T", bound="Deadline")



@_attrs_define
class Deadline:
    """ 
        Attributes:
            date (datetime.date | None): ISO date, or null when the text names no day.
            date_text (str): The date as written in the article.
            event (str):
            evidence (list[Quote]):
            certainty (DeadlineCertainty | Unset):  Default: DeadlineCertainty.EXPECTED.
            kind (DeadlineKind | Unset):  Default: DeadlineKind.OTHER.
            precision (DeadlinePrecisionType0 | None | Unset):
     """

    date: datetime.date | None
    date_text: str
    event: str
    evidence: list[Quote]
    certainty: DeadlineCertainty | Unset = DeadlineCertainty.EXPECTED
    kind: DeadlineKind | Unset = DeadlineKind.OTHER
    precision: DeadlinePrecisionType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.quote import Quote # noqa: PLC0415
        date: None | str
        if isinstance(self.date, datetime.date):
            date = self.date.isoformat()
        else:
            date = self.date

        date_text = self.date_text

        event = self.event

        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)



        certainty: str | Unset = UNSET
        if not isinstance(self.certainty, Unset):
            certainty = self.certainty.value


        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value


        precision: None | str | Unset
        if isinstance(self.precision, Unset):
            precision = UNSET
        elif isinstance(self.precision, DeadlinePrecisionType0):
            precision = self.precision.value
        else:
            precision = self.precision


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "date": date,
            "date_text": date_text,
            "event": event,
            "evidence": evidence,
        })
        if certainty is not UNSET:
            field_dict["certainty"] = certainty
        if kind is not UNSET:
            field_dict["kind"] = kind
        if precision is not UNSET:
            field_dict["precision"] = precision

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
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


        date_text = d.pop("date_text")

        event = d.pop("event")

        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in (_evidence):
            evidence_item = Quote.from_dict(evidence_item_data)



            evidence.append(evidence_item)


        _certainty = d.pop("certainty", UNSET)
        certainty: DeadlineCertainty | Unset
        if isinstance(_certainty,  Unset):
            certainty = UNSET
        else:
            certainty = DeadlineCertainty(_certainty)




        _kind = d.pop("kind", UNSET)
        kind: DeadlineKind | Unset
        if isinstance(_kind,  Unset):
            kind = UNSET
        else:
            kind = DeadlineKind(_kind)




        def _parse_precision(data: object) -> DeadlinePrecisionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                precision_type_0 = DeadlinePrecisionType0(data)



                return precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DeadlinePrecisionType0 | None | Unset, data)

        precision = _parse_precision(d.pop("precision", UNSET))


        deadline = cls(
            date=date,
            date_text=date_text,
            event=event,
            evidence=evidence,
            certainty=certainty,
            kind=kind,
            precision=precision,
        )


        deadline.additional_properties = d
        return deadline

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
