"""Tests for summarizer.articles: loading files and folders into Article objects."""

from __future__ import annotations

import json
import os
import signal
from datetime import date
from pathlib import Path

import pytest

from summarizer.articles import ArticleLoadError, load_articles

SEEDS = Path(__file__).parent.parent / "seeds"
BODY = "The first sentence of the story.\nA second line of the story."


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def load_one(path: Path, **kwargs):
    result = load_articles([path], **kwargs)
    assert not result.errors, [str(e) for e in result.errors]
    assert len(result.articles) == 1
    return result.articles[0]


def error_messages(result) -> list[str]:
    return [str(e) for e in result.errors]


# --- .txt and title detection


def test_txt_plain(tmp_path):
    art = load_one(write(tmp_path / "story.txt", BODY + "\n\n"))
    assert (art.id, art.title, art.text) == ("story", None, BODY)
    assert art.path == str(tmp_path / "story.txt")
    assert art.published is None and art.warnings == []


def test_txt_title_line(tmp_path):
    art = load_one(write(tmp_path / "a.txt", "Trade Talks Resume in Kuala Lumpur\n\n" + BODY))
    assert art.title == "Trade Talks Resume in Kuala Lumpur"
    # The headline stays in the text, so quote offsets index the file as written.
    assert art.text == "Trade Talks Resume in Kuala Lumpur\n\n" + BODY


@pytest.mark.parametrize(
    "content",
    [
        "A headline that ends with a full stop.\n\n" + BODY,  # sentence punctuation
        'He said "we will meet."\n\n' + BODY,  # closing quote after a period
        "Was it a deal?\n\n" + BODY,
        "A short first line\n" + BODY,  # next line is not blank
        "x" * 201 + "\n\n" + BODY,  # too long for a title
        "Key Highlights\n\n" + BODY,  # a two-word section label, not a headline
        "Only One Line\n\n",  # a single non-empty line is the article itself
    ],
)
def test_txt_first_line_kept_as_text(tmp_path, content):
    art = load_one(write(tmp_path / "a.txt", content))
    assert art.title is None
    assert art.text == content.rstrip()


def test_seed_files_load_with_their_stems(tmp_path):
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    result = load_articles([SEEDS])
    assert not result.errors and not result.duplicates
    assert [a.id for a in result.articles] == [f.stem for f in files]
    assert [a.path for a in result.articles] == [str(f) for f in files]
    for art, f in zip(result.articles, files, strict=True):
        assert art.warnings == []
        # Whatever the title rule decides, no line of the article may get lost.
        assert art.text == f.read_text(encoding="utf-8").rstrip()


def test_seed_titles_only_where_the_file_has_a_headline():
    by_id = {a.id: a for a in load_articles([SEEDS]).articles}
    for stem in ("000_ca7bab2cb521082e", "001_19300aa6ee5f6738", "004_5ad21c7eb4c845a8"):
        assert by_id[stem].title is None  # opening sentences, and 004's "Key Highlights" label
    assert by_id["003_40d841f78d54dc5d"].title == "US-China Trade Talks in Malaysia Ahead of Trump-Xi Summit"
    # 002 asks its headline, above a "Summary" label.
    assert by_id["002_7a3739aae1c47e77"].title.startswith("'Rare earths controls vs 100%% tariffs' Economic chiefs")
    assert by_id["002_7a3739aae1c47e77"].title.endswith("for improving relations?")


# --- decoding


def test_utf8_bom_is_dropped(tmp_path):
    art = load_one(write(tmp_path / "a.txt", b"\xef\xbb\xbf" + BODY.encode()))
    assert art.text == BODY and art.warnings == []


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    text = "Café talks résumé — “quoted”.\nSecond line."
    art = load_one(write(tmp_path / "a.txt", bom + text.encode(codec)))
    assert art.text == text and art.warnings == []


def test_crlf_and_cr_become_lf(tmp_path):
    art = load_one(write(tmp_path / "a.txt", b"one.\r\ntwo.\rthree.\r\n  \r\n"))
    assert art.text == "one.\ntwo.\nthree."


def test_invalid_utf8_is_replaced_with_warning(tmp_path):
    art = load_one(write(tmp_path / "a.txt", b"Caf\xe9 and na\xefve \xff\xfe story."))
    assert art.text == "Caf\ufffd and na\ufffdve \ufffd\ufffd story."
    assert art.warnings == ["4 invalid UTF-8 byte(s) replaced"]


def test_binary_file_is_an_error(tmp_path):
    path = write(tmp_path / "x.txt", b"PK\x03\x04\x00\x00binary junk")
    result = load_articles([path])
    assert result.articles == []
    assert error_messages(result) == [f"{path}: not a text file (binary content)"]


@pytest.mark.parametrize("content", ["", " \n\t\r\n  "])
def test_empty_file_is_an_error(tmp_path, content):
    path = write(tmp_path / "x.txt", content)
    result = load_articles([path])
    assert error_messages(result) == [f"{path}: empty article"]


def test_md_with_front_matter_only_is_empty(tmp_path):
    path = write(tmp_path / "x.md", "---\ntitle: Nothing here\n---\n\n")
    assert error_messages(load_articles([path])) == [f"{path}: empty article"]


# --- paths, folders, extensions


def test_missing_path_raises(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ArticleLoadError) as exc:
        load_articles([write(tmp_path / "ok.txt", BODY), missing])
    assert str(exc.value) == f"{missing}: no such file or directory"
    assert exc.value.path == str(missing)


def test_unknown_extension_named_explicitly_is_an_error(tmp_path):
    path = write(tmp_path / "x.pdf", "%PDF-1.4")
    result = load_articles([path])
    assert error_messages(result) == [
        f"{path}: unsupported file type '.pdf' (expected .txt, .md, .json, .jsonl, .html, .htm)"
    ]


def test_folder_skips_unknown_and_hidden_files_and_recurses_in_order(tmp_path):
    write(tmp_path / "b.txt", "Bravo story.")
    write(tmp_path / "a.txt", "Alpha story.")
    write(tmp_path / "notes.pdf", "%PDF")
    write(tmp_path / "image.png", b"\x89PNG\x00\x00")
    write(tmp_path / ".hidden.txt", "Hidden story.")
    write(tmp_path / ".git" / "c.txt", "Hidden folder story.")
    write(tmp_path / "sub" / "c.md", "Charlie story.")
    result = load_articles([tmp_path])
    assert result.errors == []
    assert [a.id for a in result.articles] == ["a", "b", "c"]
    assert result.articles[2].path == str(tmp_path / "sub" / "c.md")


def test_same_file_named_twice_is_read_once(tmp_path):
    path = write(tmp_path / "a.txt", BODY)
    result = load_articles([path, tmp_path, str(path)])
    assert [a.id for a in result.articles] == ["a"]
    assert result.duplicates == {} and result.errors == []


def test_symlink_loop_does_not_hang(tmp_path):
    write(tmp_path / "root" / "sub" / "a.txt", BODY)
    os.symlink(tmp_path / "root", tmp_path / "root" / "sub" / "loop")
    os.symlink(tmp_path / "root" / "sub", tmp_path / "root" / "again")

    def timeout(*_):
        raise TimeoutError("load_articles looped on a symlink cycle")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    try:
        result = load_articles([tmp_path / "root"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert [a.id for a in result.articles] == ["a"]
    assert result.errors == [] and result.duplicates == {}


# --- .md


def test_md_front_matter(tmp_path):
    content = (
        "---\ntitle: Talks in Malaysia\nsource: Reuters\nurl: https://example.com/x\n"
        "published: 2025-10-24\nid: talks-1\n---\n\n# Heading not used\n\n" + BODY + "\n"
    )
    art = load_one(write(tmp_path / "a.md", content))
    assert art.id == "talks-1"
    assert (art.title, art.source, art.url) == (
        "Talks in Malaysia",
        "Reuters",
        "https://example.com/x",
    )
    assert art.published == date(2025, 10, 24)
    assert art.text == "# Heading not used\n\n" + BODY
    assert art.warnings == []


def test_md_date_field_and_datetime(tmp_path):
    art = load_one(write(tmp_path / "a.md", "---\ndate: 2025-10-18T22:30:00+08:00\n---\n" + BODY))
    assert art.published == date(2025, 10, 18)
    assert art.id == "a"


def test_md_title_falls_back_to_first_heading(tmp_path):
    content = "```bash\n# not a heading\n```\n\n## Sub\n\n# Real Title #\n\n" + BODY
    art = load_one(write(tmp_path / "a.md", content))
    assert art.title == "Real Title"
    assert art.text == content


def test_md_malformed_front_matter_keeps_whole_file(tmp_path):
    content = "---\ntitle: [unclosed\nsource: x\n---\n\n" + BODY
    art = load_one(write(tmp_path / "a.md", content))
    assert art.text == content
    assert art.title is None
    assert len(art.warnings) == 1 and "front matter" in art.warnings[0]


def test_md_bad_date_warns_and_leaves_published_empty(tmp_path):
    art = load_one(write(tmp_path / "a.md", "---\ntitle: T\npublished: 2025-13-45\n---\n" + BODY))
    assert art.title == "T" and art.text == BODY
    assert art.published is None
    assert len(art.warnings) == 1 and "2025-13-45" in art.warnings[0]


def test_default_published_fills_missing_dates_only(tmp_path):
    write(tmp_path / "a.txt", "Alpha story.")
    write(tmp_path / "b.md", "---\npublished: 2025-10-18\n---\nBravo story.")
    result = load_articles([tmp_path], default_published=date(2025, 10, 26))
    assert [a.published for a in result.articles] == [date(2025, 10, 26), date(2025, 10, 18)]


# --- .json / .jsonl


def test_json_single_object(tmp_path):
    rec = {"title": "T", "source": "S", "url": "u", "published": "2025-10-18", "text": BODY}
    art = load_one(write(tmp_path / "one.json", json.dumps(rec)))
    assert (art.id, art.title, art.source, art.url) == ("one", "T", "S", "u")
    assert art.published == date(2025, 10, 18) and art.text == BODY


def test_json_list_with_a_bad_record(tmp_path):
    records = [{"text": "First story."}, {"title": "no text"}, {"id": "own", "text": "Third."}, "x"]
    path = write(tmp_path / "feed.json", json.dumps(records))
    result = load_articles([path])
    assert [a.id for a in result.articles] == ["feed-0", "own"]
    assert error_messages(result) == [
        f"{path}[1]: record has no 'text'",
        f"{path}[3]: record is not a JSON object",
    ]


def test_json_malformed_is_a_file_error(tmp_path):
    path = write(tmp_path / "feed.json", '[{"text": "a"},')
    result = load_articles([path])
    assert result.articles == []
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(f"{path}: invalid JSON")


def test_jsonl_bad_lines_keep_the_good_ones(tmp_path):
    lines = [
        json.dumps({"text": "First story.", "published": "2025-10-18T08:00:00Z"}),
        "",
        json.dumps({"title": "missing text"}),
        "{not json",
        json.dumps({"id": "x", "text": "Fifth story.\r\nWith CRLF.", "published": "yesterday"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    result = load_articles([path])
    assert [a.id for a in result.articles] == ["feed-0", "x"]
    first, fifth = result.articles
    assert first.published == date(2025, 10, 18)
    assert fifth.text == "Fifth story.\nWith CRLF."
    assert fifth.published is None and "yesterday" in fifth.warnings[0]
    messages = error_messages(result)
    assert messages[0] == f"{path}:3: record has no 'text'"
    assert messages[1].startswith(f"{path}:4: invalid JSON")
    assert len(messages) == 2


# --- .html


HTML = """<!DOCTYPE html>
<html><head>
<title>Talks resume | Example News</title>
<meta property="og:title" content="Trade talks resume in Kuala Lumpur">
<meta property="article:published_time" content="2025-10-24T09:00:00Z">
<script>var tracking = "SCRIPT_SECRET";</script>
<style>.x { color: red }</style>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">NAV_WORLD_LINK</a></li></ul></nav>
<article>
<h1>Trade talks resume in Kuala Lumpur</h1>
<p>Negotiators from the United States and China met on Saturday in Kuala Lumpur to
prepare the ground for a meeting between the two presidents later this month.</p>
<script>document.write("INLINE_SCRIPT_TEXT");</script>
<p>Officials said the talks covered export controls on rare earths, port fees and
tariffs, and that both sides wanted to avoid a further escalation before the deadline.</p>
</article>
<footer>Copyright Example News</footer>
</body></html>
"""


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_main_text_without_script_or_nav(tmp_path, suffix):
    art = load_one(write(tmp_path / f"page{suffix}", HTML))
    assert art.id == "page"
    assert "Negotiators from the United States and China met" in art.text
    assert "export controls on rare earths" in art.text
    for junk in ("SCRIPT_SECRET", "INLINE_SCRIPT_TEXT", "NAV_WORLD_LINK", "color: red"):
        assert junk not in art.text
    assert art.title == "Trade talks resume in Kuala Lumpur"
    assert art.published == date(2025, 10, 24)


def test_html_without_article_text_is_an_error(tmp_path):
    path = write(
        tmp_path / "x.html", "<html><head><script>var a = 1;</script></head><body></body></html>"
    )
    assert error_messages(load_articles([path])) == [f"{path}: no article text found"]


# --- duplicates and ids


def test_duplicate_texts_keep_the_first(tmp_path):
    write(tmp_path / "a.txt", BODY + "\n")
    write(tmp_path / "b.txt", BODY.replace("\n", "\r\n") + "\r\n\r\n")  # same after normalising
    write(tmp_path / "c.md", "---\ntitle: Copy\n---\n" + BODY)
    write(tmp_path / "d.txt", "A different story.")
    result = load_articles([tmp_path])
    assert [a.id for a in result.articles] == ["a", "d"]
    assert result.duplicates == {"b": "a", "c": "a"}


def test_id_collisions_get_suffixes(tmp_path):
    write(tmp_path / "a.txt", "Story from the text file.")
    write(tmp_path / "a.md", "Story from the markdown file.")
    write(tmp_path / "z.jsonl", json.dumps({"id": "a", "text": "Story from the feed."}))
    result = load_articles([tmp_path])
    assert [(a.id, a.path) for a in result.articles] == [
        ("a", str(tmp_path / "a.md")),
        ("a-2", str(tmp_path / "a.txt")),
        ("a-3", str(tmp_path / "z.jsonl")),
    ]
    assert len({a.id for a in result.articles}) == 3
    assert result.articles[0].warnings == []
    assert "a-2" in result.articles[1].warnings[0]


def test_links_inside_a_folder_are_followed_to_the_file_they_name(tmp_path):
    # A folder's plain files are taken as they are listed (no path resolved for each); a link
    # among them still leads to its file: one file linked under another name is read once, a
    # link into another folder is read as that file, and a link to nowhere is reported.
    write(tmp_path / "in" / "a.txt", BODY)
    write(tmp_path / "elsewhere" / "c.txt", "Another story entirely.\nIts second line.")
    os.symlink(tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt")
    os.symlink(tmp_path / "elsewhere" / "c.txt", tmp_path / "in" / "c.txt")
    os.symlink(tmp_path / "missing.txt", tmp_path / "in" / "d.txt")
    result = load_articles([tmp_path / "in", tmp_path / "elsewhere" / "c.txt"])
    assert [a.id for a in result.articles] == ["a", "c"]
    assert [e.reason for e in result.errors] == ["symbolic link loop, or a link to nowhere"]
    assert result.errors[0].path.endswith("d.txt") and result.duplicates == {}
