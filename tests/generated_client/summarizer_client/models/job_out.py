from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_out_status import JobOutStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.briefing import Briefing





T = TypeVar("T", bound="JobOut")



@_attrs_define
class JobOut:
    """ 
        Attributes:
            id (str):
            status (JobOutStatus):
            done (int | Unset):  Default: 0.
            error (None | str | Unset):
            result (Briefing | None | Unset):
            total (int | Unset):  Default: 0.
     """

    id: str
    status: JobOutStatus
    done: int | Unset = 0
    error: None | str | Unset = UNSET
    result: Briefing | None | Unset = UNSET
    total: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.briefing import Briefing # noqa: PLC0415
        id = self.id

        status = self.status.value

        done = self.done

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, Briefing):
            result = self.result.to_dict()
        else:
            result = self.result

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "status": status,
        })
        if done is not UNSET:
            field_dict["done"] = done
        if error is not UNSET:
            field_dict["error"] = error
        if result is not UNSET:
            field_dict["result"] = result
        if total is not UNSET:
            field_dict["total"] = total

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.briefing import Briefing # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        status = JobOutStatus(d.pop("status"))




        done = d.pop("done", UNSET)

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_result(data: object) -> Briefing | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = Briefing.from_dict(data)



                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Briefing | None | Unset, data)

        result = _parse_result(d.pop("result", UNSET))


        total = d.pop("total", UNSET)

        job_out = cls(
            id=id,
            status=status,
            done=done,
            error=error,
            result=result,
            total=total,
        )


        job_out.additional_properties = d
        return job_out

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
