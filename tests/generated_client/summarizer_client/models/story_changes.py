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
  from ..models.change import Change
  from ..models.story_match import StoryMatch





T = TypeVar("T", bound="StoryChanges")



@_attrs_define
class StoryChanges:
    """ What changed in a story since an earlier briefing of it (`--since`).

        Attributes:
            since (datetime.date): The date of the briefing compared with.
            changes (list[Change] | Unset): Empty for a matched story means no change.
            match (None | StoryMatch | Unset): The earlier story this continues; none for a story new today.
     """

    since: datetime.date
    changes: list[Change] | Unset = UNSET
    match: None | StoryMatch | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.change import Change # noqa: PLC0415
        from ..models.story_match import StoryMatch # noqa: PLC0415
        since = self.since.isoformat()

        changes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.changes, Unset):
            changes = []
            for changes_item_data in self.changes:
                changes_item = changes_item_data.to_dict()
                changes.append(changes_item)



        match: dict[str, Any] | None | Unset
        if isinstance(self.match, Unset):
            match = UNSET
        elif isinstance(self.match, StoryMatch):
            match = self.match.to_dict()
        else:
            match = self.match


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "since": since,
        })
        if changes is not UNSET:
            field_dict["changes"] = changes
        if match is not UNSET:
            field_dict["match"] = match

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change import Change # noqa: PLC0415
        from ..models.story_match import StoryMatch # noqa: PLC0415
        d = dict(src_dict)
        since = datetime.date.fromisoformat(d.pop("since"))




        _changes = d.pop("changes", UNSET)
        changes: list[Change] | Unset = UNSET
        if _changes is not UNSET:
            changes = []
            for changes_item_data in _changes:
                changes_item = Change.from_dict(changes_item_data)



                changes.append(changes_item)


        def _parse_match(data: object) -> None | StoryMatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                match_type_0 = StoryMatch.from_dict(data)



                return match_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StoryMatch | Unset, data)

        match = _parse_match(d.pop("match", UNSET))


        story_changes = cls(
            since=since,
            changes=changes,
            match=match,
        )


        story_changes.additional_properties = d
        return story_changes

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
