"""A second, independent reading of a briefing's prose: does each shown sentence say only what it cites?

It shares no code with summarizer (not its sentence splitter, its date
parser or its normalisation): it re-reads the article files from disk and
checks each shown sentence of the headline, the summary and the key
developments against the text at its citations' spans, with its own plain
rules. So the pipeline cannot grade itself.
"""

from __future__ import annotations

import re
from pathlib import Path

MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def read_articles(folder: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(Path(folder).iterdir()):
        if path.suffix not in (".txt", ".md"):
            continue
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".md" and raw.startswith("---\n"):
            raw = raw.split("\n---\n", 1)[1]
        texts[path.stem] = raw
    return texts


def problems_of(sentence: str, citations: list[dict], texts: dict[str, str], year: int) -> list[str]:
    problems = []
    cited = []
    for c in citations:
        text = texts.get(c["article_id"], "")
        # The citation must be where it says; leading and trailing space of a span do not matter.
        if text[c["start"]:c["end"]].strip() != c["text"].strip():
            problems.append(f"citation {c['article_id']}@{c['start']} is not at its span")
        cited.append(text[c["start"]:c["end"]])
    haystack = " ".join(cited).lower().replace("\u2019", "'")
    words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", sentence)
    for i, word in enumerate(words):
        bare = re.sub(r"['\u2019]s$", "", word)
        if i == 0 or not bare[0].isupper() or bare in MONTHS or bare in WEEKDAYS:
            continue
        if bare.lower().replace("\u2019", "'") not in haystack:
            problems.append(f"name {bare!r} not in its citations")
    for number in re.findall(r"\d+(?:\.\d+)?", sentence.replace(",", "")):
        if number not in " ".join(cited).replace(",", ""):
            problems.append(f"figure {number} not in its citations")
    for month, day in re.findall(rf"({'|'.join(MONTHS)})\s+(\d{{1,2}})", sentence):
        found = re.findall(rf"{month}\s+{day}(?:st|nd|rd|th)?(?:,\s*(\d{{4}}))?", " ".join(cited))
        if not any(not y or int(y) == year for y in found):
            problems.append(f"date {month} {day} not in its citations for {year}")
    return problems


def unsupported_prose(briefing: dict, folder: Path) -> list[str]:
    """Every shown prose sentence that states a name, figure or date its citations do not carry."""
    texts = read_articles(folder)
    year = int(briefing["date"][:4])
    shown = [(briefing["headline"], briefing["headline_citations"])] if briefing["headline_citations"] else []
    shown += [(s["text"], s["citations"]) for s in briefing["summary"]]
    shown += [(k["text"], k["evidence"]) for k in briefing["key_developments"]]
    out = []
    for sentence, citations in shown:
        out += [f"{sentence[:60]!r}: {p}" for p in problems_of(sentence, citations, texts, year)]
    return out
