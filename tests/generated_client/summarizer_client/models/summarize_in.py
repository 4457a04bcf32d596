from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.article_in import ArticleIn





T = TypeVar("T", bound="SummarizeIn")



@_attrs_define
class SummarizeIn:
    """ 
        Attributes:
            article (ArticleIn): An article as a caller sends it.
            template (str | Unset):  Default: 'default'.
     """

    article: ArticleIn
    template: str | Unset = 'default'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.article_in import ArticleIn # noqa: PLC0415
        article = self.article.to_dict()

        template = self.template


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article": article,
        })
        if template is not UNSET:
            field_dict["template"] = template

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.article_in import ArticleIn # noqa: PLC0415
        d = dict(src_dict)
        article = ArticleIn.from_dict(d.pop("article"))




        template = d.pop("template", UNSET)

        summarize_in = cls(
            article=article,
            template=template,
        )


        summarize_in.additional_properties = d
        return summarize_in

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
