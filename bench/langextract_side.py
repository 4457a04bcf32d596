"""LangExtract on the benchmark's articles, for the side-by-side row of bench/run.py.

Run by bench/run.py with an interpreter that has LangExtract and openai installed
(`--langextract-python`), never imported by summarizer. Every article is one
document and one call (max_char_buffer above any article's length, one pass),
sent to the same FAKE endpoint with the same number in flight as summarizer.
It prints one JSON line: the wall time of the extraction (imports and
LangExtract's set-up left out, as the pipeline time leaves out summarizer's
start-up), the documents annotated, and the extractions LangExtract kept.

    python bench/langextract_side.py FOLDER BASE_URL CONCURRENCY
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    folder, base_url, concurrency = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    import langextract as lx

    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    example = lx.data.ExampleData(
        text="Finance Minister Ana Ruiz met Trade Commissioner Tomas Berg in Oslo to discuss port fees.",
        extractions=[
            lx.data.Extraction(extraction_class="actor", extraction_text="Ana Ruiz",
                               attributes={"role": "Finance Minister"}),
            lx.data.Extraction(extraction_class="actor", extraction_text="Tomas Berg",
                               attributes={"role": "Trade Commissioner"}),
            lx.data.Extraction(extraction_class="measure", extraction_text="port fees"),
        ],
    )
    documents = [lx.data.Document(text=text, document_id=name) for name, text in texts.items()]
    longest = max(len(text) for text in texts.values())
    started = time.perf_counter()
    results = list(lx.extract(
        text_or_documents=documents,
        prompt_description="Extract the people named (with their role) and the trade measures discussed.",
        examples=[example],
        model_id="gpt-4o-mini",  # a name LangExtract routes to its OpenAI provider; the fake answers any
        api_key="not-needed",
        language_model_params={"base_url": base_url},
        fence_output=True,
        use_schema_constraints=False,
        max_char_buffer=longest + 1,  # one chunk, one call per article
        batch_length=max(concurrency, 1),
        max_workers=concurrency,
        extraction_passes=1,
        show_progress=False,
    ))
    seconds = time.perf_counter() - started
    kept = sum(len(r.extractions or []) for r in results)
    print(json.dumps({"seconds": seconds, "documents": len(results), "extractions": kept}))


if __name__ == "__main__":
    main()
