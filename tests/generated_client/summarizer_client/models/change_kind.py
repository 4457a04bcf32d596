from enum import StrEnum

class ChangeKind(StrEnum):
    DEADLINE_ADDED = "deadline_added"
    DEADLINE_MOVED = "deadline_moved"
    DEADLINE_PASSED = "deadline_passed"
    NEW_ACTOR = "new_actor"
    NEW_MEASURE = "new_measure"
    QUESTION_ANSWERED = "question_answered"
    STATUS_CHANGE = "status_change"

    def __str__(self) -> str:
        return str(self.value)
