"""`summarizer eval` and `summarizer compare`.

The scorer is checked on briefings whose right answers are known: one built
from FAKE replies scripted from the hand-written reference (a perfect
extractor, so recall must be high), and copies of it broken on purpose (each
fault must show in the score). The commands run in replay mode on the
embedded model's recorded replies (fixtures/seeds and fixtures/seeds-small).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from summarizer.evaluate import evaluate
from summarizer.schemas import Quote

from .conftest import FIXTURES, ROOT, SEED_DATE, SEEDS
from .test_briefing_with_gold_fakes import build, fake_model  # noqa: F401  (fixture)

GOLD = FIXTURES / "seeds.gold.json"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture
def perfect(seed_articles, fake_model, gold):  # noqa: F811
    return build(seed_articles, fake_model, gold)


@pytest.fixture
def texts(seed_articles):
    return {a.id: a.text for a in seed_articles}


def test_a_perfect_extractor_scores_high(perfect, gold, texts):
    report = evaluate(perfect, gold, texts)
    assert report["actors"]["recall"] >= 0.9 and report["actors"]["precision"] == 1.0
    assert report["actors"]["split"] == {} and report["actors"]["wrongly_merged"] == []
    assert report["deadlines"]["recall_by_date_only"] >= 0.8 and report["deadlines"]["false_deadlines"] == []
    assert report["grounding"]["aligned_share"] == 1.0 and report["grounding"]["per_article_support"] == 1.0


def test_each_fault_in_a_briefing_shows_in_its_score(perfect, gold, texts):
    broken = perfect.model_copy(deep=True)
    bessent = next(a for a in broken.actors if a.name == "Scott Bessent")
    broken.actors = [a for a in broken.actors if a.name != "Jamieson Greer"]
    # Split Bessent into a second entry, and merge Xi into Trump's.
    broken.actors.append(bessent.model_copy(update={"name": "Besent", "aliases": []}))
    trump = next(a for a in broken.actors if "Trump" in a.name)
    trump.aliases.append("Xi Jinping")
    # A photo caption's date shown as a deadline.
    entry = broken.timeline[0].model_copy(update={"date": __import__("datetime").date(2017, 11, 9)})
    broken.timeline.append(entry)
    # A quote whose span does not hold its text, and an article cited without a quote from it.
    q = broken.actors[0].evidence[0]
    broken.actors[0].evidence[0] = Quote(article_id=q.article_id, text=q.text, start=q.start + 5, end=q.end + 5, score=100)
    broken.actors[1].article_ids.append("004_5ad21c7eb4c845a8" if broken.actors[1].article_ids[0] != "004_5ad21c7eb4c845a8" else "000_ca7bab2cb521082e")

    good, bad = evaluate(perfect, gold, texts), evaluate(broken, gold, texts)
    assert "Jamieson Greer" in bad["actors"]["missed"] and bad["actors"]["recall"] < good["actors"]["recall"]
    assert "Scott Bessent" in bad["actors"]["split"]
    assert trump.name in bad["actors"]["wrongly_merged"]
    assert any(f.startswith("2017-11-09") for f in bad["deadlines"]["false_deadlines"])
    assert bad["grounding"]["aligned_share"] < 1.0
    assert bad["grounding"]["unsupported_citations"]


def test_eval_command_prints_the_scores_and_writes_json(tmp_path):
    out = tmp_path / "eval.json"
    result = run("eval", str(FIXTURES / "seeds" / "briefing.json"), "--gold", str(GOLD), "--articles", str(SEEDS), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "actors recall" in result.stdout and "quotes aligned" in result.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    # What the embedded model's recorded briefing holds: every shown quote is real.
    assert report["grounding"]["aligned_share"] == 1.0
    assert set(report) >= {"actors", "deadlines", "measures", "source_differences", "open_questions", "grounding"}


def test_eval_rejects_bad_files_in_one_line(tmp_path):
    not_json = tmp_path / "x.json"
    not_json.write_text("{}", encoding="utf-8")
    for args in (
        ("eval", str(not_json), "--gold", str(GOLD)),
        ("eval", str(FIXTURES / "seeds" / "briefing.json"), "--gold", str(not_json)),
        ("eval", str(tmp_path / "nope.json"), "--gold", str(GOLD)),
    ):
        result = run(*args)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_compare_two_templates_on_the_recorded_replies(tmp_path):
    out = tmp_path / "compare.md"
    result = run(
        "compare", str(SEEDS), "--template", "default", "--template", "small", "--gold", str(GOLD),
        "--date", SEED_DATE, "--fixture-mode", "replay", "--fixtures", str(FIXTURES), "-o", str(out),
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# default vs small")
    for section in ("## Cost", "## Scores against the reference", "### actors", "### timeline", "### open questions"):
        assert section in report
    assert "| prompt tokens |" in report and "| actors recall |" in report
    assert "| failures | 0 | 0 |" in report  # both briefings complete, narrative included
    assert "only in small:" in report and "only in default:" in report


def test_brief_with_gold_writes_the_score_beside_the_briefing(tmp_path):
    out = tmp_path / "b.json"
    result = run("brief", str(SEEDS), "--date", SEED_DATE, "--format", "json", "-o", str(out), "--gold", str(GOLD),
                 "--fixture-mode", "replay", "--fixtures", str(FIXTURES / "seeds"))
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "b.eval.json").read_text(encoding="utf-8"))["actors"]["recall"] is not None
