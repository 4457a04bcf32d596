from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_difference_origin import SourceDifferenceOrigin
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.claim import Claim





T = TypeVar("T", bound="SourceDifference")



@_attrs_define
class SourceDifference:
    """ 
        Attributes:
            claims (list[Claim]):
            topic (str):
            origin (SourceDifferenceOrigin | Unset): 'merge' when found deterministically (spellings, dates). Default:
                SourceDifferenceOrigin.MODEL.
     """

    claims: list[Claim]
    topic: str
    origin: SourceDifferenceOrigin | Unset = SourceDifferenceOrigin.MODEL
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.claim import Claim # noqa: PLC0415
        claims = []
        for claims_item_data in self.claims:
            claims_item = claims_item_data.to_dict()
            claims.append(claims_item)



        topic = self.topic

        origin: str | Unset = UNSET
        if not isinstance(self.origin, Unset):
            origin = self.origin.value



        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "claims": claims,
            "topic": topic,
        })
        if origin is not UNSET:
            field_dict["origin"] = origin

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.claim import Claim # noqa: PLC0415
        d = dict(src_dict)
        claims = []
        _claims = d.pop("claims")
        for claims_item_data in (_claims):
            claims_item = Claim.from_dict(claims_item_data)



            claims.append(claims_item)


        topic = d.pop("topic")

        _origin = d.pop("origin", UNSET)
        origin: SourceDifferenceOrigin | Unset
        if isinstance(_origin,  Unset):
            origin = UNSET
        else:
            origin = SourceDifferenceOrigin(_origin)




        source_difference = cls(
            claims=claims,
            topic=topic,
            origin=origin,
        )


        source_difference.additional_properties = d
        return source_difference

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
