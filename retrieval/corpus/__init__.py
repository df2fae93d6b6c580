"""Loading and caching the corpus: files → documents, and the saved index."""

from retrieval.corpus.documents import (
    CorpusError,
    Document,
    DocumentError,
    Warn,
    document_from_json,
    load_documents,
)

__all__ = ["CorpusError", "Document", "DocumentError", "Warn", "document_from_json", "load_documents"]
