"""Offline full-text search of the good-practice library, with facets.

DuckDB's ``fts`` extension is not available offline, so the index is built in memory:

* **BM25** (Robertson and Zaragoza 2009; ``bm25s``) over title (counted twice), summary, description,
  evidence of success, potential for transfer, institution and stakeholders, English stop words
  removed;
* **typos**: a query word that is not in the index is replaced by the closest indexed word when
  their similarity (``rapidfuzz.fuzz.ratio``) is at least ``FUZZY_MIN`` (the replacement is reported);
* **phrases**: practices whose title or summary contain the whole query (as typed, or with its
  typos corrected) rank before the others, so a known phrase finds its practice first;
* **facets**: filters on dimension, country, instrument type, governance level, validation state,
  NACE sector and outcome, and the counts of each facet value among the hits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

FUZZY_MIN = 80.0
FACETS = {
    "dimension": "dimensions",
    "country": "country",
    "instrument_type": "instrument_type",
    "governance_level": "governance_level",
    "validation_state": "validation_state",
    "nace": "nace_sectors",
    "outcome": "outcome",
}
TEXT_FIELDS = ("title", "title", "summary", "description", "evidence_of_success",
               "potential_for_transfer", "institution", "stakeholders")  # fmt: skip


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


@dataclass
class SearchResult:
    """Hits (best first) and the facet counts among them."""

    query: str
    hits: pd.DataFrame
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)


class PracticeIndex:
    """A BM25 index of a practice table (build once, search many times)."""

    def __init__(self, practices: pd.DataFrame) -> None:
        self.practices = practices.reset_index(drop=True)
        docs = [
            " ".join(str(rec.get(f) or "") for f in TEXT_FIELDS)
            for rec in self.practices.to_dict("records")
        ]
        corpus = _tokens(docs)
        self.vocabulary = sorted({t for doc in corpus for t in doc})
        self.retriever = bm25s.BM25()
        if docs:
            self.retriever.index(corpus, show_progress=False)
        self.phrase_text = [
            _norm(f"{r.get('title') or ''} | {r.get('summary') or ''}")
            for r in self.practices.to_dict("records")
        ]

    def _correct(self, words: list[str]) -> tuple[list[str], dict[str, str]]:
        known = set(self.vocabulary)
        out, fixes = [], {}
        for w in words:
            if w in known or not self.vocabulary:
                out.append(w)
                continue
            match = process.extractOne(w, self.vocabulary, scorer=fuzz.ratio)
            if match and match[1] >= FUZZY_MIN:
                out.append(match[0])
                fixes[w] = match[0]
            else:
                out.append(w)
        return out, fixes

    def search(
        self,
        query: str,
        filters: Mapping[str, str | Sequence[str]] | None = None,
        *,
        limit: int = 20,
    ) -> SearchResult:
        """Practices matching ``query`` (empty: all, by id) and every filter, best first.

        ``filters``: facet name (``FACETS``) -> one value or a list (any of them)."""
        frame = self.practices
        mask = np.ones(len(frame), dtype=bool)
        for facet, wanted in (filters or {}).items():
            if facet not in FACETS:
                raise KeyError(f"unknown facet {facet!r}; facets: {', '.join(FACETS)}")
            values = {wanted} if isinstance(wanted, str) else set(wanted)
            if not values:
                continue
            column = frame[FACETS[facet]]
            mask &= column.map(
                lambda v, values=values: (
                    bool(set(v) & values)
                    if isinstance(v, (list, tuple, np.ndarray))
                    else v in values
                )
            ).to_numpy(dtype=bool)
        words = _tokens([query])[0] if query.strip() else []
        words, fixes = self._correct(words)
        if words and len(frame):
            scores = np.asarray(self.retriever.get_scores(words), dtype=float)
            phrases = {_norm(query)}
            if fixes:  # the phrase with its typos corrected
                phrases.add(" ".join(fixes.get(w, w) for w in _norm(query).split()))
            phrase_hit = np.array(
                [any(p in text for p in phrases) for text in self.phrase_text], dtype=bool
            )
            relevant = (scores > 0) | phrase_hit
        else:
            scores = np.zeros(len(frame))
            phrase_hit = np.zeros(len(frame), dtype=bool)
            relevant = np.ones(len(frame), dtype=bool) if not words else np.zeros(0, dtype=bool)
        keep = mask & relevant
        hits = frame[keep].copy()
        hits["score"] = scores[keep]
        hits["phrase_match"] = phrase_hit[keep]
        hits = hits.sort_values(
            ["phrase_match", "score", "practice_id"], ascending=[False, False, True], kind="stable"
        )
        facets: dict[str, dict[str, int]] = {}
        for facet, column in FACETS.items():
            counter: Counter[str] = Counter()
            for v in hits[column]:
                counter.update(v if isinstance(v, (list, tuple, np.ndarray)) else [v])
            facets[facet] = dict(counter.most_common())
        return SearchResult(
            query=query,
            hits=hits.head(limit).reset_index(drop=True),
            facets=facets,
            corrections=fixes,
        )
