from enum import StrEnum

class SourceDifferenceOrigin(StrEnum):
    MERGE = "merge"
    MODEL = "model"

    def __str__(self) -> str:
        return str(self.value)
