from enum import StrEnum

class FrontPageStoryStatus(StrEnum):
    CHANGED = "changed"
    NEW = "new"
    NO_CHANGE = "no change"
    VALUE_0 = ""

    def __str__(self) -> str:
        return str(self.value)
