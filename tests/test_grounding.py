from summarizer.align import align_quote, mentions, supported_sentences
from summarizer.choices import quote_choices
from summarizer.grounding import ArticleGrounder
from summarizer.schemas import ArticleReply

TEXT = (
    "The US Treasury Secretary Scott Bessent and Trade Representative Jamieson Greer held a video call "
    "with Chinese Vice Premier He Lifeng on Friday evening Eastern Time (October 17th).\n"
    "Scott Bessent also issued a statement on X, saying, \u201cTonight, Vice Premier He Lifeng and I had "
    "frank and in-depth discussions.\u201d\nThe truce expires on November 10."
)


def test_exact_quote_gets_its_span():
    q = align_quote("held a video call with Chinese Vice Premier He Lifeng", TEXT, "a")
    assert q is not None and q.score == 100
    assert TEXT[q.start : q.end] == q.text == "held a video call with Chinese Vice Premier He Lifeng"


def test_straight_quotes_case_and_whitespace_are_normalised():
    q = align_quote('saying, "tonight, vice premier he lifeng   and I had frank', TEXT, "a")
    assert q is not None and q.score == 100
    assert q.text.startswith("saying, \u201cTonight")  # the span shows the article's own characters


def test_small_typo_aligns_fuzzily_to_whole_words():
    q = align_quote("Scott Bessent also issued a statment on X", TEXT, "a")
    assert q is not None and 90 <= q.score < 100
    assert q.text == "Scott Bessent also issued a statement on X"


def test_invented_and_tiny_quotes_are_rejected():
    assert align_quote("Jay Z, Dreamer, announced a concert tour", TEXT, "a") is None
    assert align_quote("25%", TEXT, "a") is None


def test_short_names_need_an_exact_hit():
    assert mentions("He Lifeng", TEXT)
    assert not mentions("Li", "Jimmy Lai was jailed.")


def test_quote_choices_are_safe_for_llama_cpp_grammars():
    choices = quote_choices('He said "we will meet" \\ soon.\tThen\tleft.')
    assert all('"' not in c and "\\" not in c and "\t" not in c for c in choices)
    # ...and still align back to the original text.
    assert align_quote(choices[0], 'He said "we will meet" \\ soon.', "a") is not None


def test_one_bad_item_is_dropped_not_the_article():
    reply = ArticleReply.model_validate(
        {
            "summary": "Bessent and Greer held a call with He Lifeng.",
            "actors": [
                {"name": "Scott Bessent", "role": "Treasury Secretary", "evidence": ["Scott Bessent also issued a statement on X"]},
                {"name": "Jamieson Greer", "evidence": ["Trade Representative Jamieson Greer held a video call"]},
                {"name": "Jay Z", "role": "Dreamer", "evidence": ["Jay Z sang at the summit"]},
            ],
            "deadlines": [{"date_text": "November 10", "event": "The truce expires", "evidence": ["The truce expires on November 10."]}],
        },
        context={"grounder": (g := ArticleGrounder("a", TEXT)), "lenient": False},
    )
    assert [a.name for a in reply.actors] == ["Scott Bessent", "Jamieson Greer"]
    assert g.report.dropped == 1
    assert reply.actors[0]._quotes[0].start == TEXT.index("Scott Bessent also")


def test_mostly_invented_reply_is_sent_back_unless_lenient():
    import pytest
    from pydantic import ValidationError

    data = {
        "summary": "x",
        "actors": [
            {"name": "Jay Z", "evidence": ["Jay Z sang at the summit"]},
            {"name": "Beyonce", "evidence": ["Beyonce sang at the summit too"]},
            {"name": "Scott Bessent", "evidence": ["Scott Bessent also issued a statement on X"]},
        ],
    }
    with pytest.raises(ValidationError, match="not supported by the text"):
        ArticleReply.model_validate(data, context={"grounder": ArticleGrounder("a", TEXT)})
    lenient = ArticleReply.model_validate(data, context={"grounder": ArticleGrounder("a", TEXT), "lenient": True})
    assert [a.name for a in lenient.actors] == ["Scott Bessent"]


def test_unsupported_summary_sentences_are_removed():
    kept = supported_sentences("Bessent held a call with He Lifeng. Beyonce released a surprising album.", [TEXT])
    assert kept == "Bessent held a call with He Lifeng."
