"""Grouping a day's articles into stories: one folder, many stories, each briefed on its own.

Articles are compared by TF-IDF over their title, their text,
and, weighted up, the names they mention and the actors and measures read
off them: two articles on one story share the people, places and measures
they name far more than their wording. Articles are joined by agglomerative
clustering (average linkage, cosine distance) until the closest two groups
are further apart than `threshold`. It is deterministic, needs no model, and
an article that fits no story is a story of its own, never dropped.

Why two articles were grouped is kept with each story: the terms its
articles share that weigh most.

The weights and distances are scikit-learn's (TfidfVectorizer, cosine distances,
AgglomerativeClustering), bit for bit, but computed here with numpy and scipy:
importing scikit-learn took 0.55 s of CPU on top of scipy's 0.3 s, most of
our own CPU in a run of 100 articles. tests/test_stories.py holds every step
equal to scikit-learn's own.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .articles import Article
from .choices import name_choices
from .schemas import ArticleSummary

#: Cosine distance (1 - similarity of the TF-IDF vectors) under which groups are joined. Measured on the
#: seeds, the two development stories and the mixed four-story corpus: 0.93 split the EU climate story,
#: 0.96 merged two stories of the mixed day; 0.95 keeps each one whole and apart.
STORY_THRESHOLD = 0.95


@dataclass
class Story:
    """Articles on one story, and the terms that grouped them."""

    id: str
    article_ids: list[str]
    shared_terms: list[str] = field(default_factory=list)


#: What a term is (scikit-learn's default pattern, but words of two letters or more joined by ' _ -).
TERM = re.compile(r"(?u)\b\w[\w'_-]+\b")


def article_terms(article: Article) -> str:
    """The article's own words as grouping reads them: its title, text, and (twice) the names it
    mentions, lower-cased, in order, stop words still in, separated by spaces (one string, not
    a list of 1,500: 10,000 articles held 900 MB of lists).

    Computed for each article as its summary arrives (summarizer.pipeline), while the other
    calls are out, so that grouping the day has only the summaries' items to add.
    """
    # A name is one token ("Mike_Johnson"), so that "Johnson" in a sports story does not pull it in.
    names = " ".join(n.replace(" ", "_") for n in name_choices(article.text, limit=200))
    return " ".join(TERM.findall(f"{article.title or ''} {article.text} {names} {names}".lower()))


@functools.cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, read from its data file without importing scikit-learn
    (which costs 0.55 s before anything can be read from it)."""
    spec = importlib.util.find_spec("sklearn")  # locates the package; imports nothing
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "feature_extraction" / "_stop_words.py"
        if path.is_file():
            namespace: dict = {}
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
            if isinstance(namespace.get("ENGLISH_STOP_WORDS"), frozenset):
                return namespace["ENGLISH_STOP_WORDS"]
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # laid out otherwise: the slow way

    return ENGLISH_STOP_WORDS


def _features(terms: str, summary: ArticleSummary | None) -> list[str]:
    """The terms, then the summary's actors and measures (twice), stop words out, and every two
    terms in a row: what TfidfVectorizer(stop_words="english", ngram_range=(1, 2)) reads from
    the same text (tests/test_stories.py holds them equal)."""
    stop_words = english_stop_words()
    items = ""
    if summary is not None:
        items = " ".join(a.name.replace(" ", "_") for a in summary.actors) + " " + " ".join(m.name for m in summary.measures)
    # A term holds no white space (\w, ' _ -), so splitting gives the terms back.
    words = [t for t in terms.split() + TERM.findall(f"{items} {items}".lower()) if t not in stop_words]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


class TermCounts:
    """Each article's grouping features, counted as its summary arrives (summarizer.pipeline's
    Reading), so that grouping the day only lays the counts out as scikit-learn would have.

    Counting 2,000 articles' features after the last reply took 0.15 s of the day's tail, 0.7 s
    at 10,000; and the articles' words, held until then as text, were 100 MB at 10,000. A
    feature is kept once, as a number; an article holds its features' numbers and counts.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}  # feature -> its number, in the order first counted
        self.counted: dict[str, tuple[array, array]] = {}  # article id -> (feature numbers, counts)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.counted

    def add(self, article_id: str, terms: str, summary: ArticleSummary | None) -> None:
        """Count the article: its `article_terms` and its summary (None if it failed)."""
        self.add_features(article_id, _features(terms, summary))

    def add_features(self, key: str, features: list[str]) -> None:
        """Count one document's features, in the order its analyzer gives them."""
        numbers = self.numbers
        # Counter keeps each feature where it first occurs, which is the order scikit-learn numbers them in.
        counts = Counter(features)
        self.counted[key] = (
            array("i", [numbers.setdefault(feature, len(numbers)) for feature in counts]),
            array("i", counts.values()),
        )

    def counts_matrix(self, article_ids: Sequence[str]):
        """The articles' counts (rows in the order of `article_ids`) and the vocabulary, exactly as
        CountVectorizer._count_vocab builds them reading the articles in that order: a feature is
        numbered where it first occurs, and each row is sorted by those numbers (the order its
        products are summed in, so every distance is the same to the last bit)."""
        import numpy as np
        from scipy import sparse

        rows = [self.counted[article_id] for article_id in article_ids]
        numbers = np.concatenate([np.frombuffer(row[0], dtype=np.intc) for row in rows])
        if not numbers.size:
            raise ValueError("empty vocabulary")  # as scikit-learn says it
        values = np.concatenate([np.frombuffer(row[1], dtype=np.intc) for row in rows])
        indptr = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum([len(row[0]) for row in rows], out=indptr[1:])
        used, first = np.unique(numbers, return_index=True)
        met = used[np.argsort(first)]  # our numbers, in the order a reader of these rows first meets them
        renumber = np.zeros(len(self.numbers), dtype=np.int32)
        renumber[met] = np.arange(len(met), dtype=np.int32)
        features = list(self.numbers)
        vocabulary = {features[number]: index for index, number in enumerate(met.tolist())}
        matrix = sparse.csr_matrix((values, renumber[numbers], indptr), shape=(len(rows), len(vocabulary)),
                                   dtype=np.float64)
        matrix.sort_indices()
        return vocabulary, matrix


_preloading: list[threading.Thread] = []


def preload() -> None:
    """Import numpy and scipy in a thread of its own, now, while the model calls are in flight.

    The import takes 0.3 s; grouping needs it only once every article is summarised, by
    which time it is done (group_stories' own import then returns at once).
    """
    if _preloading or "scipy.cluster.hierarchy" in sys.modules:
        return

    def load() -> None:
        try:
            import scipy.cluster.hierarchy  # noqa: F401
            import scipy.sparse  # noqa: F401
        except Exception:  # grouping's own import will say what is wrong
            pass

    thread = threading.Thread(target=load, name="summarizer-preload", daemon=True)
    _preloading.append(thread)
    thread.start()


def group_stories(
    articles: Sequence[Article],
    summaries: dict[str, ArticleSummary],
    threshold: float = STORY_THRESHOLD,
    counts: TermCounts | None = None,
) -> list[Story]:
    """The articles' stories, the largest first (ties: the first article's id), ids stable for a given input.

    `counts`: the articles counted already, as their summaries arrived (the others are read here).
    """
    if len(articles) < 2:
        return [Story(_slug(articles[0], [], 0), [a.id for a in articles])] if articles else []
    ordered = sorted(articles, key=lambda a: a.id)  # the same input in any order gives the same stories
    counts = counts or TermCounts()
    for article in ordered:
        if article.id not in counts:
            counts.add(article.id, article_terms(article), summaries.get(article.id))
    try:
        matrix, terms = _tfidf(ordered, counts)
    except ValueError:  # not one word among them to compare by: each article is a story of its own
        return [Story(_slug(a, [], number), [a.id]) for number, a in enumerate(ordered, 1)]
    labels = _cluster(matrix, threshold)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    members = sorted(groups.values(), key=lambda rows: (-len(rows), ordered[rows[0]].id))
    stories = []
    for number, rows in enumerate(members, 1):
        shared = _shared_terms(matrix, rows, terms)
        stories.append(Story(_slug(ordered[rows[0]], shared, number), [ordered[i].id for i in rows], shared))
    return stories


#: The most features compared: the most frequent in the day (TfidfVectorizer's max_features).
MAX_FEATURES = 50_000


def _tfidf(ordered: Sequence[Article], counts: TermCounts) -> tuple:
    """The articles' TF-IDF rows and the features' names."""
    return tfidf(counts, [a.id for a in ordered], MAX_FEATURES)


def tfidf(counts: TermCounts, keys: Sequence[str], max_features: int | None = None) -> tuple:
    """The documents' TF-IDF rows and the features' names: what TfidfVectorizer(sublinear_tf=True,
    max_features=...).fit_transform gives for them, step for step (features in alphabetical
    order, the most frequent kept, weights 1 + log of the count times the smoothed idf, rows of
    unit length). ValueError when they hold no feature at all, as scikit-learn's."""
    import numpy as np

    vocabulary, matrix = counts.counts_matrix(keys)
    names = sorted(vocabulary)
    alphabetical = np.empty(len(names), dtype=matrix.indices.dtype)
    for number, name in enumerate(names):
        alphabetical[vocabulary[name]] = number
    matrix.indices = alphabetical.take(matrix.indices, mode="clip")
    kept = np.arange(len(names))
    if max_features is not None and len(names) > max_features:
        # argsort's own order among equal counts, as scikit-learn sorts them.
        kept = np.sort((-np.asarray(matrix.sum(axis=0)).ravel()).argsort()[:max_features])
    matrix = matrix[:, kept]  # as scikit-learn selects them (it does so when keeping all, too)
    names = [names[i] for i in kept]
    documents = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64) + 1.0
    idf = np.full_like(documents, matrix.shape[0] + 1)
    idf /= documents
    np.log(idf, out=idf)
    idf += 1.0
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1.0
    matrix.data *= idf[matrix.indices]
    return unit_rows(matrix), names


def unit_rows(matrix):
    """Each row divided by its length, in place: sklearn.preprocessing.normalize(norm="l2"), whose
    sums of squares run along the row in stored order, as scipy's matrix-vector product does."""
    import numpy as np
    from scipy import sparse

    squares = sparse.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    totals = squares @ np.ones(matrix.shape[1])
    lengths = np.sqrt(totals)
    lengths[totals == 0.0] = 1.0  # an empty row stays as it is
    matrix.data /= np.repeat(lengths, np.diff(matrix.indptr))
    return matrix


#: The most articles clustered in one piece: their distances are BLOCK² floats (2,500: 50 MB).
#: Up to this size the clustering is one exact pass of average linkage; past it, see `_cluster`.
BLOCK = 2500


#: Rows of the distance triangle computed at once: 250 x 2,500 floats, 5 MB.
STRIPE = 250


def _condensed_distances(rows, means: bool):
    """1 - a.b for every pair i < j of `rows`, in scipy's condensed order: the upper triangle
    sklearn's AgglomerativeClustering reads from cosine_distances (or, for `means`, 1 minus
    linear_kernel), bit for bit, but half of it.

    The whole square was 4 million products at 2,000 articles, each pair twice, then held
    three times over (the square, its clipped copy, the triangle's index arrays). scipy's sparse
    product sums in the same order as scikit-learn's, at half its speed, but without the GIL:
    the stripes go to two threads.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    # cosine_similarity normalises the rows again (already unit, they can move by a unit in the last place).
    rows = rows if means else unit_rows(rows.copy())
    n = rows.shape[0]
    condensed = np.empty(n * (n - 1) // 2)
    stripes, at = [], 0
    for top in range(0, n - 1, STRIPE):
        stripes.append((top, min(top + STRIPE, n - 1), at))
        at += sum(n - row - 1 for row in range(top, min(top + STRIPE, n - 1)))

    def stripe(top: int, bottom: int, at: int) -> None:
        # Rows top..bottom against columns top..n: each sum runs over the shared terms in the
        # same order as in the whole product, so every value is the one the square held.
        products = (rows[top:bottom] @ rows[top:].T).toarray()
        for i in range(bottom - top):
            width = n - top - i - 1
            condensed[at:at + width] = products[i, i + 1:]
            at += width

    with ThreadPoolExecutor(2, thread_name_prefix="summarizer-distances") as pool:
        for done in [pool.submit(stripe, *s) for s in stripes]:
            done.result()
    condensed *= -1
    condensed += 1
    return np.clip(condensed, 0.0, 2.0, out=condensed)


def _cut(children, distances, threshold: float, n: int) -> list[int]:
    """The labels AgglomerativeClustering(distance_threshold=...) gives for this tree: as many
    clusters as merges at or past the threshold, plus one, numbered as its _hc_cut numbers them
    (the numbering orders a large day's second round, so it is kept, not only the groups)."""
    import heapq

    nodes = [-(max(children[-1]) + 1)]
    for _ in range(int((distances >= threshold).sum())):
        left, right = children[-nodes[0] - n]
        heapq.heappush(nodes, -left)
        heapq.heappushpop(nodes, -right)
    labels = [0] * n
    for label, node in enumerate(nodes):
        stack = [-node]
        while stack:
            top = stack.pop()
            if top < n:
                labels[top] = label
            else:
                stack.extend(children[top - n])
    return labels


def _exact(rows, threshold: float, means: bool = False) -> list[int]:
    """Average-linkage labels of `rows`: l2-normalised TF-IDF rows, or (`means`) the mean vectors of
    groups of them, between which 1 - a.b is the average distance of their members.

    What AgglomerativeClustering(metric="precomputed", linkage="average") gives on the square of
    distances, from the triangle that it hands scipy anyway (tests/test_stories.py holds the two
    equal): clustering 2,000 articles took 0.31 s that way and 0.19 s this.
    """
    from scipy.cluster.hierarchy import linkage

    if rows.shape[0] < 2:
        return [0] * rows.shape[0]
    tree = linkage(_condensed_distances(rows, means), method="average")
    return _cut(tree[:, :2].astype(int).tolist(), tree[:, 2], threshold, rows.shape[0])


def _cluster(rows, threshold: float, sizes=None) -> list[int]:
    """Average-linkage labels, in memory that grows with the day rather than with its square.

    Up to BLOCK rows: exact average linkage over every pair, as ever. A larger day (10,000
    articles took 2.7 GB that way) is clustered in blocks of BLOCK, exactly within each; the
    groups found are then clustered again as the means of their members, whose dot product is
    the average similarity of those members, so that a story split across blocks is joined
    again; and so on while groups join. The order of joins differs from one pass over every
    pair, so a large day's stories can differ from what that pass would find.
    """
    import numpy as np
    from scipy import sparse

    n = rows.shape[0]
    if n <= BLOCK:
        return _exact(rows, threshold, means=sizes is not None)
    labels = np.empty(n, dtype=np.int64)
    groups = 0
    for start in range(0, n, BLOCK):
        found = np.asarray(_exact(rows[start:start + BLOCK], threshold, means=sizes is not None))
        labels[start:start + len(found)] = found + groups
        groups += int(found.max()) + 1
    if groups == n:  # no block joined anything: another round would find the same
        return [int(label) for label in labels]
    weights = np.ones(n) if sizes is None else np.asarray(sizes, dtype=float)
    members = sparse.csr_matrix((weights, (labels, np.arange(n))), shape=(groups, n))
    group_sizes = np.asarray(members.sum(axis=1)).ravel()
    means = sparse.csr_matrix(sparse.diags(1.0 / group_sizes) @ members @ rows)
    joined = _cluster(means, threshold, group_sizes)
    return [int(joined[label]) for label in labels]


def _shared_terms(matrix, rows: list[int], terms, limit: int = 6) -> list[str]:
    """The terms every article of the group uses, heaviest first: what they have in common."""
    if len(rows) < 2:
        return []
    block = matrix[rows]
    in_all = (block > 0).sum(axis=0).A1 == len(rows)
    weight = block.sum(axis=0).A1 * in_all
    best = [i for i in weight.argsort()[::-1] if weight[i] > 0][:limit]
    return [str(terms[i]).replace("_", " ") for i in best]


def _slug(first: Article, shared: list[str], number: int) -> str:
    basis = next((t for t in shared if " " in t or t[:1].isupper()), shared[0] if shared else (first.title or first.id))
    words = re.sub(r"[^a-z0-9]+", "-", basis.lower()).strip("-")[:40].strip("-") or "story"
    return f"{number:02d}-{words}" if number else words
