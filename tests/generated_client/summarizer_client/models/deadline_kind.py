from enum import StrEnum

class DeadlineKind(StrEnum):
    DEADLINE = "deadline"
    EVENT = "event"
    EXPIRY = "expiry"
    OTHER = "other"
    SCHEDULED_EVENT = "scheduled_event"

    def __str__(self) -> str:
        return str(self.value)
