from enum import StrEnum

class DeadlineCertainty(StrEnum):
    CONFIRMED = "confirmed"
    EXPECTED = "expected"
    SPECULATIVE = "speculative"
    TENTATIVE = "tentative"

    def __str__(self) -> str:
        return str(self.value)
