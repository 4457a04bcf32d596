from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.consolidated_measure_kind import ConsolidatedMeasureKind
from ..models.consolidated_measure_status import ConsolidatedMeasureStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.consolidated_measure_statuses import ConsolidatedMeasureStatuses
  from ..models.quote import Quote





T = TypeVar("T", bound="ConsolidatedMeasure")



@_attrs_define
class ConsolidatedMeasure:
    """ 
        Attributes:
            article_ids (list[str]):
            evidence (list[Quote]):
            name (str):
            effective_date (datetime.date | None | Unset):
            imposed_by (str | Unset):  Default: ''.
            imposed_on (str | Unset):  Default: ''.
            kind (ConsolidatedMeasureKind | Unset):  Default: ConsolidatedMeasureKind.OTHER.
            status (ConsolidatedMeasureStatus | Unset):  Default: ConsolidatedMeasureStatus.UNKNOWN.
            statuses (ConsolidatedMeasureStatuses | Unset): Status as each article reports it.
     """

    article_ids: list[str]
    evidence: list[Quote]
    name: str
    effective_date: datetime.date | None | Unset = UNSET
    imposed_by: str | Unset = ''
    imposed_on: str | Unset = ''
    kind: ConsolidatedMeasureKind | Unset = ConsolidatedMeasureKind.OTHER
    status: ConsolidatedMeasureStatus | Unset = ConsolidatedMeasureStatus.UNKNOWN
    statuses: ConsolidatedMeasureStatuses | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.consolidated_measure_statuses import ConsolidatedMeasureStatuses # noqa: PLC0415
        from ..models.quote import Quote # noqa: PLC0415
        article_ids = self.article_ids



        evidence = []
        for evidence_item_data in self.evidence:
            evidence_item = evidence_item_data.to_dict()
            evidence.append(evidence_item)



        name = self.name

        effective_date: None | str | Unset
        if isinstance(self.effective_date, Unset):
            effective_date = UNSET
        elif isinstance(self.effective_date, datetime.date):
            effective_date = self.effective_date.isoformat()
        else:
            effective_date = self.effective_date

        imposed_by = self.imposed_by

        imposed_on = self.imposed_on

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value


        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value


        statuses: dict[str, Any] | Unset = UNSET
        if not isinstance(self.statuses, Unset):
            statuses = self.statuses.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_ids": article_ids,
            "evidence": evidence,
            "name": name,
        })
        if effective_date is not UNSET:
            field_dict["effective_date"] = effective_date
        if imposed_by is not UNSET:
            field_dict["imposed_by"] = imposed_by
        if imposed_on is not UNSET:
            field_dict["imposed_on"] = imposed_on
        if kind is not UNSET:
            field_dict["kind"] = kind
        if status is not UNSET:
            field_dict["status"] = status
        if statuses is not UNSET:
            field_dict["statuses"] = statuses

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.consolidated_measure_statuses import ConsolidatedMeasureStatuses # noqa: PLC0415
        from ..models.quote import Quote # noqa: PLC0415
        d = dict(src_dict)
        article_ids = cast(list[str], d.pop("article_ids"))


        evidence = []
        _evidence = d.pop("evidence")
        for evidence_item_data in (_evidence):
            evidence_item = Quote.from_dict(evidence_item_data)



            evidence.append(evidence_item)


        name = d.pop("name")

        def _parse_effective_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                effective_date_type_0 = datetime.date.fromisoformat(data)



                return effective_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        effective_date = _parse_effective_date(d.pop("effective_date", UNSET))


        imposed_by = d.pop("imposed_by", UNSET)

        imposed_on = d.pop("imposed_on", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: ConsolidatedMeasureKind | Unset
        if isinstance(_kind,  Unset):
            kind = UNSET
        else:
            kind = ConsolidatedMeasureKind(_kind)




        _status = d.pop("status", UNSET)
        status: ConsolidatedMeasureStatus | Unset
        if isinstance(_status,  Unset):
            status = UNSET
        else:
            status = ConsolidatedMeasureStatus(_status)




        _statuses = d.pop("statuses", UNSET)
        statuses: ConsolidatedMeasureStatuses | Unset
        if isinstance(_statuses,  Unset):
            statuses = UNSET
        else:
            statuses = ConsolidatedMeasureStatuses.from_dict(_statuses)




        consolidated_measure = cls(
            article_ids=article_ids,
            evidence=evidence,
            name=name,
            effective_date=effective_date,
            imposed_by=imposed_by,
            imposed_on=imposed_on,
            kind=kind,
            status=status,
            statuses=statuses,
        )


        consolidated_measure.additional_properties = d
        return consolidated_measure

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
