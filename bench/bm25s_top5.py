"""The bm25s side of the whole-process comparison with ``citebot batch``.

    .venv/bin/python bench/bm25s_top5.py CORPUS.jsonl < questions.jsonl > top5.jsonl

Loads the same JSONL corpus, indexes each document's ``text`` (not its title, as
citebot does) with bm25s' defaults (BM25 "lucene", k1=1.5, b=0.75) and the tokenisation
of bm25s' README (English stop words, PyStemmer's English Snowball stemmer), then writes
one JSON line per question with the ids and scores of its top 5 documents. The questions
are retrieved in one batched call, the fastest way bm25s offers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import bm25s
import Stemmer


def main(corpus_path: str) -> int:
    with Path(corpus_path).open(encoding="utf-8") as lines:
        documents = [json.loads(line) for line in lines if line.strip()]
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([d["text"] for d in documents], stopwords="en", stemmer=stemmer, show_progress=False),
        show_progress=False,
    )
    requests = [json.loads(line) for line in sys.stdin if line.strip()]
    tokens = bm25s.tokenize(
        [r["question"] for r in requests], stopwords="en", stemmer=stemmer, show_progress=False
    )
    results, scores = retriever.retrieve(tokens, k=min(5, len(documents)), show_progress=False)
    out = sys.stdout
    for request, found, score in zip(requests, results, scores, strict=True):
        hits = [
            {"id": documents[int(d)]["id"], "score": round(float(s), 6)}
            for d, s in zip(found, score, strict=True)
        ]
        out.write(json.dumps({"id": request.get("id"), "top": hits}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
