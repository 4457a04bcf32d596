from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.failure import Failure
  from ..models.run_metadata_duplicates import RunMetadataDuplicates
  from ..models.run_metadata_timings import RunMetadataTimings
  from ..models.run_metadata_tokens_by_stage import RunMetadataTokensByStage





T = TypeVar("T", bound="RunMetadata")



@_attrs_define
class RunMetadata:
    """ 
        Attributes:
            model (str):
            provider (str):
            template (str):
            template_hash (str):
            batches (list[str] | Unset): Batch API batches that answered this run (--batch).
            cache_hits (int | Unset):  Default: 0.
            completion_tokens (int | Unset):  Default: 0.
            dropped_ungrounded (int | Unset):  Default: 0.
            duplicates (RunMetadataDuplicates | Unset):
            elapsed_seconds (float | Unset):  Default: 0.0.
            failures (list[Failure] | Unset):
            model_calls (int | Unset):  Default: 0.
            prompt_tokens (int | Unset):  Default: 0.
            reasks (int | Unset): Extra model calls made because a reply failed validation. Default: 0.
            summarizer_version (str | Unset):  Default: ''.
            timings (RunMetadataTimings | Unset): Seconds spent: model_startup (importing the client, starting the embedded
                server; once per process), articles (all extractions), briefing (the briefing call and assembly).
            tokens_by_stage (RunMetadataTokensByStage | Unset): Calls and prompt/completion tokens of each stage (article,
                briefing).
            transport_retries (int | Unset): Calls repeated after a transient failure (timeouts, 429, 5xx). Default: 0.
     """

    model: str
    provider: str
    template: str
    template_hash: str
    batches: list[str] | Unset = UNSET
    cache_hits: int | Unset = 0
    completion_tokens: int | Unset = 0
    dropped_ungrounded: int | Unset = 0
    duplicates: RunMetadataDuplicates | Unset = UNSET
    elapsed_seconds: float | Unset = 0.0
    failures: list[Failure] | Unset = UNSET
    model_calls: int | Unset = 0
    prompt_tokens: int | Unset = 0
    reasks: int | Unset = 0
    summarizer_version: str | Unset = ''
    timings: RunMetadataTimings | Unset = UNSET
    tokens_by_stage: RunMetadataTokensByStage | Unset = UNSET
    transport_retries: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.failure import Failure # noqa: PLC0415
        from ..models.run_metadata_duplicates import RunMetadataDuplicates # noqa: PLC0415
        from ..models.run_metadata_timings import RunMetadataTimings # noqa: PLC0415
        from ..models.run_metadata_tokens_by_stage import RunMetadataTokensByStage # noqa: PLC0415
        model = self.model

        provider = self.provider

        template = self.template

        template_hash = self.template_hash

        batches: list[str] | Unset = UNSET
        if not isinstance(self.batches, Unset):
            batches = self.batches



        cache_hits = self.cache_hits

        completion_tokens = self.completion_tokens

        dropped_ungrounded = self.dropped_ungrounded

        duplicates: dict[str, Any] | Unset = UNSET
        if not isinstance(self.duplicates, Unset):
            duplicates = self.duplicates.to_dict()

        elapsed_seconds = self.elapsed_seconds

        failures: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.failures, Unset):
            failures = []
            for failures_item_data in self.failures:
                failures_item = failures_item_data.to_dict()
                failures.append(failures_item)



        model_calls = self.model_calls

        prompt_tokens = self.prompt_tokens

        reasks = self.reasks

        summarizer_version = self.summarizer_version

        timings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.timings, Unset):
            timings = self.timings.to_dict()

        tokens_by_stage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tokens_by_stage, Unset):
            tokens_by_stage = self.tokens_by_stage.to_dict()

        transport_retries = self.transport_retries


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "model": model,
            "provider": provider,
            "template": template,
            "template_hash": template_hash,
        })
        if batches is not UNSET:
            field_dict["batches"] = batches
        if cache_hits is not UNSET:
            field_dict["cache_hits"] = cache_hits
        if completion_tokens is not UNSET:
            field_dict["completion_tokens"] = completion_tokens
        if dropped_ungrounded is not UNSET:
            field_dict["dropped_ungrounded"] = dropped_ungrounded
        if duplicates is not UNSET:
            field_dict["duplicates"] = duplicates
        if elapsed_seconds is not UNSET:
            field_dict["elapsed_seconds"] = elapsed_seconds
        if failures is not UNSET:
            field_dict["failures"] = failures
        if model_calls is not UNSET:
            field_dict["model_calls"] = model_calls
        if prompt_tokens is not UNSET:
            field_dict["prompt_tokens"] = prompt_tokens
        if reasks is not UNSET:
            field_dict["reasks"] = reasks
        if summarizer_version is not UNSET:
            field_dict["summarizer_version"] = summarizer_version
        if timings is not UNSET:
            field_dict["timings"] = timings
        if tokens_by_stage is not UNSET:
            field_dict["tokens_by_stage"] = tokens_by_stage
        if transport_retries is not UNSET:
            field_dict["transport_retries"] = transport_retries

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.failure import Failure # noqa: PLC0415
        from ..models.run_metadata_duplicates import RunMetadataDuplicates # noqa: PLC0415
        from ..models.run_metadata_timings import RunMetadataTimings # noqa: PLC0415
        from ..models.run_metadata_tokens_by_stage import RunMetadataTokensByStage # noqa: PLC0415
        d = dict(src_dict)
        model = d.pop("model")

        provider = d.pop("provider")

        template = d.pop("template")

        template_hash = d.pop("template_hash")

        batches = cast(list[str], d.pop("batches", UNSET))


        cache_hits = d.pop("cache_hits", UNSET)

        completion_tokens = d.pop("completion_tokens", UNSET)

        dropped_ungrounded = d.pop("dropped_ungrounded", UNSET)

        _duplicates = d.pop("duplicates", UNSET)
        duplicates: RunMetadataDuplicates | Unset
        if isinstance(_duplicates,  Unset):
            duplicates = UNSET
        else:
            duplicates = RunMetadataDuplicates.from_dict(_duplicates)




        elapsed_seconds = d.pop("elapsed_seconds", UNSET)

        _failures = d.pop("failures", UNSET)
        failures: list[Failure] | Unset = UNSET
        if _failures is not UNSET:
            failures = []
            for failures_item_data in _failures:
                failures_item = Failure.from_dict(failures_item_data)



                failures.append(failures_item)


        model_calls = d.pop("model_calls", UNSET)

        prompt_tokens = d.pop("prompt_tokens", UNSET)

        reasks = d.pop("reasks", UNSET)

        summarizer_version = d.pop("summarizer_version", UNSET)

        _timings = d.pop("timings", UNSET)
        timings: RunMetadataTimings | Unset
        if isinstance(_timings,  Unset):
            timings = UNSET
        else:
            timings = RunMetadataTimings.from_dict(_timings)




        _tokens_by_stage = d.pop("tokens_by_stage", UNSET)
        tokens_by_stage: RunMetadataTokensByStage | Unset
        if isinstance(_tokens_by_stage,  Unset):
            tokens_by_stage = UNSET
        else:
            tokens_by_stage = RunMetadataTokensByStage.from_dict(_tokens_by_stage)




        transport_retries = d.pop("transport_retries", UNSET)

        run_metadata = cls(
            model=model,
            provider=provider,
            template=template,
            template_hash=template_hash,
            batches=batches,
            cache_hits=cache_hits,
            completion_tokens=completion_tokens,
            dropped_ungrounded=dropped_ungrounded,
            duplicates=duplicates,
            elapsed_seconds=elapsed_seconds,
            failures=failures,
            model_calls=model_calls,
            prompt_tokens=prompt_tokens,
            reasks=reasks,
            summarizer_version=summarizer_version,
            timings=timings,
            tokens_by_stage=tokens_by_stage,
            transport_retries=transport_retries,
        )


        run_metadata.additional_properties = d
        return run_metadata

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
