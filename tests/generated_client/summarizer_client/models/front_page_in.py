from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.article_in import ArticleIn
  from ..models.front_page_in_since_type_0 import FrontPageInSinceType0





T = TypeVar("T", bound="FrontPageIn")



@_attrs_define
class FrontPageIn:
    """ 
        Attributes:
            articles (list[ArticleIn]):
            date (datetime.date | None | Unset): The day's date; the anchor of articles without one.
            since (FrontPageInSinceType0 | None | Unset): An earlier answer's `briefings`: each story then says what changed
                since, and the front page which stories are new.
            story_threshold (float | Unset): How far apart two articles may be and still be one story; lower splits more.
                Default: 0.95.
            template (str | Unset):  Default: 'default'.
     """

    articles: list[ArticleIn]
    date: datetime.date | None | Unset = UNSET
    since: FrontPageInSinceType0 | None | Unset = UNSET
    story_threshold: float | Unset = 0.95
    template: str | Unset = 'default'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.article_in import ArticleIn # noqa: PLC0415
        from ..models.front_page_in_since_type_0 import FrontPageInSinceType0 # noqa: PLC0415
        articles = []
        for articles_item_data in self.articles:
            articles_item = articles_item_data.to_dict()
            articles.append(articles_item)



        date: None | str | Unset
        if isinstance(self.date, Unset):
            date = UNSET
        elif isinstance(self.date, datetime.date):
            date = self.date.isoformat()
        else:
            date = self.date

        since: dict[str, Any] | None | Unset
        if isinstance(self.since, Unset):
            since = UNSET
        elif isinstance(self.since, FrontPageInSinceType0):
            since = self.since.to_dict()
        else:
            since = self.since

        story_threshold = self.story_threshold

        template = self.template


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "articles": articles,
        })
        if date is not UNSET:
            field_dict["date"] = date
        if since is not UNSET:
            field_dict["since"] = since
        if story_threshold is not UNSET:
            field_dict["story_threshold"] = story_threshold
        if template is not UNSET:
            field_dict["template"] = template

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.article_in import ArticleIn # noqa: PLC0415
        from ..models.front_page_in_since_type_0 import FrontPageInSinceType0 # noqa: PLC0415
        d = dict(src_dict)
        articles = []
        _articles = d.pop("articles")
        for articles_item_data in (_articles):
            articles_item = ArticleIn.from_dict(articles_item_data)



            articles.append(articles_item)


        def _parse_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_type_0 = datetime.date.fromisoformat(data)



                return date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        date = _parse_date(d.pop("date", UNSET))


        def _parse_since(data: object) -> FrontPageInSinceType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                since_type_0 = FrontPageInSinceType0.from_dict(data)



                return since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FrontPageInSinceType0 | None | Unset, data)

        since = _parse_since(d.pop("since", UNSET))


        story_threshold = d.pop("story_threshold", UNSET)

        template = d.pop("template", UNSET)

        front_page_in = cls(
            articles=articles,
            date=date,
            since=since,
            story_threshold=story_threshold,
            template=template,
        )


        front_page_in.additional_properties = d
        return front_page_in

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
