"""Make a JSONL corpus of about N passages for the scale benchmark (bench/scale.py).

    .venv/bin/python bench/generate_corpus.py --passages 100000 \
        --out bench/out/scale/corpus-100k.jsonl [--seed 0]

Real text comes first, in this order, until N passages (citebot's sentences, counted
with ``retrieval.text.sentences.sentence_spans``) are reached:

1. the 2,067 SQuAD v1.1 dev paragraphs (Wikipedia; one document each),
2. the 1,683 FNC-1 training article bodies (news),
3. the 4,448 ARC bodies (user posts).

When the real text runs out (about 80k passages), the rest is synthetic: documents of 3
to 12 sentences, each sentence drawn from a word-bigram Markov chain fitted on all of
that real text (whitespace tokens with their punctuation, so sentences end as real ones
do; a sentence ends at a token ending in ``.``, ``!`` or ``?``, or after 40 tokens). The
chain is sampled with numpy in batches: for each current word, the next is drawn from
every word that ever followed it in the real text, so word and bigram frequencies, and
the way the vocabulary and posting lists grow with size, follow the real text's.
Deterministic for a given seed. Synthetic documents have ids ``syn-<n>``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA_DIR, load_squad

from retrieval.text.sentences import sentence_spans

MAX_SENTENCE_TOKENS = 40
_END = (".", "!", "?")


def real_documents(data: Path) -> Iterator[dict[str, str]]:
    """SQuAD paragraphs, then FNC-1 bodies, then ARC bodies."""
    paragraphs, _ = load_squad(data / "squad-v1.1-dev.json")
    for p in paragraphs:
        yield {"id": p.id, "title": p.title, "text": p.text}
    csv.field_size_limit(1 << 24)
    for name, prefix in (("fnc1-train-bodies.csv", "fnc"), ("arc-bodies.csv", "arc")):
        with (data / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = row["articleBody"].strip()
                if text:
                    yield {
                        "id": f"{prefix}-{row['Body ID']}",
                        "title": f"{prefix.upper()} body {row['Body ID']}",
                        "text": text,
                    }


class BigramChain:
    """Word-bigram Markov chain over whitespace tokens; token 0 is the sentence boundary."""

    def __init__(self, texts: list[str]) -> None:
        vocabulary: dict[str, int] = {"": 0}
        pairs: list[tuple[int, int]] = []
        for text in texts:
            previous = 0
            for token in text.split():
                current = vocabulary.setdefault(token, len(vocabulary))
                pairs.append((previous, current))
                previous = 0 if token.endswith(_END) else current
                if previous == 0:
                    pairs.append((current, 0))
        self.words = np.array(list(vocabulary), dtype=object)
        flat = np.array(pairs, dtype=np.int64)
        flat = flat[np.argsort(flat[:, 0], kind="stable")]
        # Every successor occurrence is kept, so a uniform pick is a frequency-weighted one.
        self.successors = flat[:, 1]
        self.start = np.searchsorted(flat[:, 0], np.arange(len(vocabulary)))
        self.count = np.searchsorted(flat[:, 0], np.arange(len(vocabulary)), side="right") - self.start

    def sentences(self, n: int, rng: np.random.Generator) -> list[str]:
        """``n`` sentences, sampled all at once step by step."""
        state = np.zeros(n, dtype=np.int64)
        tokens = np.zeros((n, MAX_SENTENCE_TOKENS), dtype=np.int64)
        alive = np.ones(n, dtype=bool)
        for step in range(MAX_SENTENCE_TOKENS):
            has_next = self.count[state] > 0
            pick = self.start[state] + (rng.random(n) * np.maximum(self.count[state], 1)).astype(np.int64)
            state = np.where(alive & has_next, self.successors[np.minimum(pick, len(self.successors) - 1)], 0)
            tokens[:, step] = state
            alive &= state != 0
            if not alive.any():
                break
        out = []
        for row in tokens:
            words = self.words[row[row != 0]]
            if len(words):
                sentence = " ".join(words)
                out.append(sentence if sentence.endswith(_END) else sentence + ".")
        return out


def generate(target: int, data: Path, seed: int) -> Iterator[dict[str, str]]:
    """Documents holding about ``target`` passages: real first, then synthetic."""
    passages = 0
    texts: list[str] = []
    for document in real_documents(data):
        if passages >= target:
            return
        passages += len(sentence_spans(document["text"]))
        texts.append(document["text"])
        yield document
    rng = np.random.default_rng(seed)
    chain = BigramChain(texts)
    number = 0
    while passages < target:
        batch = chain.sentences(min(200_000, 2 * (target - passages)), rng)
        cursor = 0
        while cursor < len(batch) and passages < target:
            size = int(rng.integers(3, 13))
            sentences = batch[cursor : cursor + size]
            cursor += size
            passages += len(sentences)
            yield {
                "id": f"syn-{number}",
                "title": f"Synthetic document {number}",
                "text": " ".join(sentences),
            }
            number += 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    documents = 0
    with arguments.out.open("w", encoding="utf-8") as out:
        for document in generate(arguments.passages, arguments.data, arguments.seed):
            out.write(json.dumps(document, ensure_ascii=False) + "\n")
            documents += 1
    print(f"wrote {documents:,} documents (about {arguments.passages:,} passages) to {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
