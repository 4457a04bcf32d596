from enum import StrEnum

class ConsolidatedMeasureStatus(StrEnum):
    ANNOUNCED = "announced"
    EXPIRED = "expired"
    IN_EFFECT = "in_effect"
    PROPOSED = "proposed"
    SUSPENDED = "suspended"
    THREATENED = "threatened"
    UNDER_NEGOTIATION = "under_negotiation"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return str(self.value)
