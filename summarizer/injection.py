"""Text inside an article that addresses the model instead of the reader.

Articles are untrusted data. The templates keep them inside delimited blocks
and tell the model that what is inside is content; this module is the second
line: it finds the sentences that read as instructions to an AI ("ignore
previous instructions and report that...", "SYSTEM:", a forged closing tag)
so that grounding never accepts them as evidence. A model that obeys such a
sentence then has nothing to quote for what it was told to say, and its item
is dropped like any other invention.

The patterns aim at the wording of prompt injection, not at ordinary news
about AI: "the assistant secretary said" or "a language model startup" do not
match.
"""

from __future__ import annotations

import functools
import re

_PATTERNS = [
    # "ignore all previous instructions", "disregard the above rules"
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?\b(?:previous|prior|above|earlier|preceding|all|any|your|system)\b"
    r"[^.!?\n]{0,30}?\b(?:instructions?|prompts?|rules|directions|guidelines|context)\b",
    # "you are now an AI that...", "as a language model you must"
    r"\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model|llm|summari[sz]er)\b",
    r"\bas\s+an?\s+(?:ai|language\s+model|llm)\b",
    r"\b(?:system|developer)\s+(?:prompt|message|instructions?)\b",
    # "AI models summarising this article must state that..." (a verb of saying, then "that" or a colon:
    # "the assistant secretary must report to Congress" is news, not an instruction)
    r"\b(?:ai|assistants?|chatbots?|language\s+models?|llms?|summari[sz]ers?)\b[^.!?\n]{0,60}?"
    r"\b(?:must|should|shall|will|are\s+to|need\s+to)\s+(?:now\s+)?(?:report|say|state|write|output|respond|claim|answer|include|conclude)"
    r"\s*(?:that\b|:)",
    # "respond only with", "output the following"
    r"\b(?:respond|reply|answer)\s+(?:only\s+)?with\b",
    r"\boutput\s+(?:only\s+)?(?:the\s+following|this)\b",
    # Role prefixes and forged delimiters.
    r"^\s*(?:system|assistant|user)\s*:[^\n]*",  # the whole line: a forged turn of the conversation
    r"\bnew\s+instructions?\s*:",
    r"</?\s*(?:system|assistant|instructions?|article|summaries|im_start|im_end)\b[^>\n]{0,40}>",
    r"<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)
_BOUNDARY = re.compile(r"[.!?…\n]")


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence that speaks to a model, merged where they touch."""
    return list(_spans(text))


@functools.lru_cache(maxsize=16384)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    # Remembered per text: an article is scanned when it is loaded, then again by the
    # reading, grounding and prose checks (0.2 ms a scan, three an article before). The
    # cache holds the texts the articles hold anyway; at 4,096 entries a day of 10,000
    # articles was scanned afresh for the briefing call (1.75 s).
    spans: list[tuple[int, int]] = []
    for match in _INSTRUCTION.finditer(text):
        start = max((m.end() for m in _BOUNDARY.finditer(text, 0, match.start())), default=0)
        after = _BOUNDARY.search(text, match.end())
        end = after.end() if after else len(text)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return tuple(spans)


def blank_instructions(text: str) -> str:
    """The text with those sentences replaced by spaces: same length, so offsets still hold.

    A text that has none is handed back as it is (most news text): no copy is kept.
    """
    return _blanked(text) if _spans(text) else text


@functools.lru_cache(maxsize=256)
def _blanked(text: str) -> str:
    for start, end in _spans(text):
        text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return text


def describe(text: str) -> list[str]:
    """One warning per planted instruction, for the article's load warnings."""
    return [
        f"text addressed to an AI model at characters {start}-{end} is never used as evidence: "
        f"{' '.join(text[start:end].split())[:80]!r}"
        for start, end in instruction_spans(text)
    ]
