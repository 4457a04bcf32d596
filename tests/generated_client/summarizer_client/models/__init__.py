""" Contains all the data models used in inputs/outputs """

from .actor import Actor
from .article_in import ArticleIn
from .article_summary import ArticleSummary
from .briefing import Briefing
from .briefing_in import BriefingIn
from .briefing_question import BriefingQuestion
from .change import Change
from .change_kind import ChangeKind
from .cited_sentence import CitedSentence
from .claim import Claim
from .consolidated_actor import ConsolidatedActor
from .consolidated_measure import ConsolidatedMeasure
from .consolidated_measure_kind import ConsolidatedMeasureKind
from .consolidated_measure_status import ConsolidatedMeasureStatus
from .consolidated_measure_statuses import ConsolidatedMeasureStatuses
from .consolidated_measure_statuses_additional_property import ConsolidatedMeasureStatusesAdditionalProperty
from .create_briefing_format import CreateBriefingFormat
from .deadline import Deadline
from .deadline_certainty import DeadlineCertainty
from .deadline_kind import DeadlineKind
from .deadline_precision_type_0 import DeadlinePrecisionType0
from .dropped_sentence import DroppedSentence
from .dropped_sentence_section import DroppedSentenceSection
from .error_out import ErrorOut
from .failure import Failure
from .front_page import FrontPage
from .front_page_in import FrontPageIn
from .front_page_in_since_type_0 import FrontPageInSinceType0
from .front_page_out import FrontPageOut
from .front_page_out_briefings import FrontPageOutBriefings
from .front_page_story import FrontPageStory
from .front_page_story_status import FrontPageStoryStatus
from .health_out import HealthOut
from .job_accepted import JobAccepted
from .job_out import JobOut
from .job_out_status import JobOutStatus
from .key_development import KeyDevelopment
from .measure import Measure
from .measure_kind import MeasureKind
from .measure_status import MeasureStatus
from .open_question import OpenQuestion
from .problem import Problem
from .quote import Quote
from .run_metadata import RunMetadata
from .run_metadata_duplicates import RunMetadataDuplicates
from .run_metadata_timings import RunMetadataTimings
from .run_metadata_tokens_by_stage import RunMetadataTokensByStage
from .run_metadata_tokens_by_stage_additional_property import RunMetadataTokensByStageAdditionalProperty
from .source_difference import SourceDifference
from .source_difference_origin import SourceDifferenceOrigin
from .source_ref import SourceRef
from .story_changes import StoryChanges
from .story_match import StoryMatch
from .summarize_in import SummarizeIn
from .template_out import TemplateOut
from .timeline_entry import TimelineEntry
from .timeline_entry_certainty import TimelineEntryCertainty
from .timeline_entry_kind import TimelineEntryKind
from .timeline_entry_precision_type_0 import TimelineEntryPrecisionType0

__all__ = (
    "Actor",
    "ArticleIn",
    "ArticleSummary",
    "Briefing",
    "BriefingIn",
    "BriefingQuestion",
    "Change",
    "ChangeKind",
    "CitedSentence",
    "Claim",
    "ConsolidatedActor",
    "ConsolidatedMeasure",
    "ConsolidatedMeasureKind",
    "ConsolidatedMeasureStatus",
    "ConsolidatedMeasureStatuses",
    "ConsolidatedMeasureStatusesAdditionalProperty",
    "CreateBriefingFormat",
    "Deadline",
    "DeadlineCertainty",
    "DeadlineKind",
    "DeadlinePrecisionType0",
    "DroppedSentence",
    "DroppedSentenceSection",
    "ErrorOut",
    "Failure",
    "FrontPage",
    "FrontPageIn",
    "FrontPageInSinceType0",
    "FrontPageOut",
    "FrontPageOutBriefings",
    "FrontPageStory",
    "FrontPageStoryStatus",
    "HealthOut",
    "JobAccepted",
    "JobOut",
    "JobOutStatus",
    "KeyDevelopment",
    "Measure",
    "MeasureKind",
    "MeasureStatus",
    "OpenQuestion",
    "Problem",
    "Quote",
    "RunMetadata",
    "RunMetadataDuplicates",
    "RunMetadataTimings",
    "RunMetadataTokensByStage",
    "RunMetadataTokensByStageAdditionalProperty",
    "SourceDifference",
    "SourceDifferenceOrigin",
    "SourceRef",
    "StoryChanges",
    "StoryMatch",
    "SummarizeIn",
    "TemplateOut",
    "TimelineEntry",
    "TimelineEntryCertainty",
    "TimelineEntryKind",
    "TimelineEntryPrecisionType0",
)
