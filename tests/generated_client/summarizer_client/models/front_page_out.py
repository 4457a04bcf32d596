from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.front_page import FrontPage
  from ..models.front_page_out_briefings import FrontPageOutBriefings





T = TypeVar("T", bound="FrontPageOut")



@_attrs_define
class FrontPageOut:
    """ 
        Attributes:
            briefings (FrontPageOutBriefings): Each story's own briefing, by story id.
            front_page (FrontPage): A day of many stories: each with its own briefing, ranked by how many sources cover it.
     """

    briefings: FrontPageOutBriefings
    front_page: FrontPage
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.front_page import FrontPage # noqa: PLC0415
        from ..models.front_page_out_briefings import FrontPageOutBriefings # noqa: PLC0415
        briefings = self.briefings.to_dict()

        front_page = self.front_page.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "briefings": briefings,
            "front_page": front_page,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.front_page import FrontPage # noqa: PLC0415
        from ..models.front_page_out_briefings import FrontPageOutBriefings # noqa: PLC0415
        d = dict(src_dict)
        briefings = FrontPageOutBriefings.from_dict(d.pop("briefings"))




        front_page = FrontPage.from_dict(d.pop("front_page"))




        front_page_out = cls(
            briefings=briefings,
            front_page=front_page,
        )


        front_page_out.additional_properties = d
        return front_page_out

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
