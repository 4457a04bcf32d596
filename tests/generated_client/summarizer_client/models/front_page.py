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
  from ..models.front_page_story import FrontPageStory
  from ..models.run_metadata import RunMetadata





T = TypeVar("T", bound="FrontPage")



@_attrs_define
class FrontPage:
    """ A day of many stories: each with its own briefing, ranked by how many sources cover it.

        Attributes:
            date (datetime.date):
            metadata (RunMetadata):
            stories (list[FrontPageStory]):
            new_stories (list[str] | Unset): Ids of today's stories that the earlier run did not have.
            quiet_stories (list[str] | Unset): Headlines of the earlier run's stories no article covers today.
            since (datetime.date | None | Unset): The date of the earlier run compared with (`--since`).
     """

    date: datetime.date
    metadata: RunMetadata
    stories: list[FrontPageStory]
    new_stories: list[str] | Unset = UNSET
    quiet_stories: list[str] | Unset = UNSET
    since: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.front_page_story import FrontPageStory # noqa: PLC0415
        from ..models.run_metadata import RunMetadata # noqa: PLC0415
        date = self.date.isoformat()

        metadata = self.metadata.to_dict()

        stories = []
        for stories_item_data in self.stories:
            stories_item = stories_item_data.to_dict()
            stories.append(stories_item)



        new_stories: list[str] | Unset = UNSET
        if not isinstance(self.new_stories, Unset):
            new_stories = self.new_stories



        quiet_stories: list[str] | Unset = UNSET
        if not isinstance(self.quiet_stories, Unset):
            quiet_stories = self.quiet_stories



        since: None | str | Unset
        if isinstance(self.since, Unset):
            since = UNSET
        elif isinstance(self.since, datetime.date):
            since = self.since.isoformat()
        else:
            since = self.since


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "date": date,
            "metadata": metadata,
            "stories": stories,
        })
        if new_stories is not UNSET:
            field_dict["new_stories"] = new_stories
        if quiet_stories is not UNSET:
            field_dict["quiet_stories"] = quiet_stories
        if since is not UNSET:
            field_dict["since"] = since

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.front_page_story import FrontPageStory # noqa: PLC0415
        from ..models.run_metadata import RunMetadata # noqa: PLC0415
        d = dict(src_dict)
        date = datetime.date.fromisoformat(d.pop("date"))




        metadata = RunMetadata.from_dict(d.pop("metadata"))




        stories = []
        _stories = d.pop("stories")
        for stories_item_data in (_stories):
            stories_item = FrontPageStory.from_dict(stories_item_data)



            stories.append(stories_item)


        new_stories = cast(list[str], d.pop("new_stories", UNSET))


        quiet_stories = cast(list[str], d.pop("quiet_stories", UNSET))


        def _parse_since(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                since_type_0 = datetime.date.fromisoformat(data)



                return since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        since = _parse_since(d.pop("since", UNSET))


        front_page = cls(
            date=date,
            metadata=metadata,
            stories=stories,
            new_stories=new_stories,
            quiet_stories=quiet_stories,
            since=since,
        )


        front_page.additional_properties = d
        return front_page

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
