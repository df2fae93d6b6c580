"""SQuAD v1.1 dev, read for training and measuring relevance and quotes (never shipped).

Articles are the unit of every split: a question and its paragraph always fall on the
same side, and so does every other paragraph of its article.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.corpus.documents import Document

SQUAD_FILE = "squad-v1.1-dev.json"


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    paragraph: str  # the id of the paragraph (document) it was written from
    answers: tuple[tuple[str, int], ...]  # (text, start offset in the paragraph)


@dataclass(frozen=True)
class SquadArticle:
    number: int  # its position in the file
    title: str
    paragraphs: tuple[Document, ...]  # id ``a<article>-p<n>``, title "<article> ¶<n+1>"
    questions: tuple[SquadQuestion, ...]


def read_squad(path: Path) -> list[SquadArticle]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    articles = []
    for a, article in enumerate(raw["data"]):
        title = article["title"].replace("_", " ")
        paragraphs, questions = [], []
        for p, paragraph in enumerate(article["paragraphs"]):
            pid = f"a{a}-p{p}"
            paragraphs.append(Document(id=pid, title=f"{title} ¶{p + 1}", text=paragraph["context"]))
            questions.extend(
                SquadQuestion(
                    id=qa["id"],
                    question=qa["question"],
                    paragraph=pid,
                    answers=tuple((answer["text"], int(answer["answer_start"])) for answer in qa["answers"]),
                )
                for qa in paragraph["qas"]
            )
        articles.append(SquadArticle(a, title, tuple(paragraphs), tuple(questions)))
    return articles


def halves(articles: Sequence[SquadArticle]) -> tuple[list[SquadArticle], list[SquadArticle]]:
    """Even- and odd-numbered articles (in file order): the benchmark's two halves, and
    how a training set is split in two again to make off-topic questions."""
    return list(articles[0::2]), list(articles[1::2])


def documents_of(articles: Sequence[SquadArticle]) -> list[Document]:
    return [paragraph for article in articles for paragraph in article.paragraphs]


def questions_of(articles: Sequence[SquadArticle]) -> list[SquadQuestion]:
    return [question for article in articles for question in article.questions]
