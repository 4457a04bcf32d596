from enum import StrEnum

class DroppedSentenceSection(StrEnum):
    EXECUTIVE_SUMMARY = "executive_summary"
    HEADLINE = "headline"
    KEY_DEVELOPMENT = "key_development"

    def __str__(self) -> str:
        return str(self.value)
