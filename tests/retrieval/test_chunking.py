from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document
from retrieval.ingest.sentences import looks_wrapped, sentence_spans

SEED_000 = "000_ca3cea7e8a48471e.txt"


def seed_documents(seed_service):
    from retrieval.ingest.corpus import read_corpus

    return read_corpus(seed_service.settings.corpus_dir).documents


def test_each_chunk_is_verbatim_at_its_lines(seed_service):
    documents = {d.source: d for d in seed_documents(seed_service)}
    for chunk in chunk_corpus(list(documents.values())):
        doc = documents[chunk.source]
        assert doc.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
        assert chunk.text in doc.lines(chunk.line_start, chunk.line_end)
        for index, sentence in enumerate(chunk.sentences):
            quote = chunk.sentence_text(index)
            assert quote in doc.lines(sentence.line_start, sentence.line_end)


def test_the_repeated_comments_are_indexed_once_and_point_at_their_copy(seed_service):
    chunks = [c for c in chunk_corpus(seed_documents(seed_service)) if c.source == SEED_000]
    assert all(c.line_end <= 10 for c in chunks), "the copy at lines 11-19 is not indexed"
    first = next(c for c in chunks if c.line_start == 1)
    assert (SEED_000, 11, 11) in first.duplicates


def test_identical_text_in_two_files_is_one_chunk_citing_the_first():
    shared = "Alignment is hard. It needs care."
    docs = [Document("a.txt", shared), Document("b.txt", "Other words here.\n" + shared)]
    chunks = chunk_corpus(docs)
    holding = [c for c in chunks if "Alignment is hard." in c.text]
    assert len(holding) == 1
    assert holding[0].source == "a.txt"
    assert holding[0].duplicates == [("b.txt", 2, 2)]


def test_chunks_respect_the_size_unless_one_sentence_is_longer():
    sentence = "This sentence has exactly some words in it. "
    doc = Document("long.txt", sentence * 60 + ("x" * 900) + ".")
    for chunk in chunk_corpus([doc], chunk_chars=300):
        assert len(chunk.text) <= 300 or len(chunk.sentences) == 1


paragraph = st.lists(
    st.sampled_from(["Alpha beta.", "Gamma delta!", "Is it so?", "e.g. this one.", "Plain words"]),
    min_size=1,
    max_size=8,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=12), st.integers(120, 700))
def test_chunks_cover_every_sentence_once_and_never_cut_one(paragraphs, size):
    text = "\n".join(paragraphs)
    doc = Document("p.txt", text)
    chunks = chunk_corpus([doc], chunk_chars=size)
    covered = sorted((c.start + s.start, c.start + s.end) for c in chunks for s in c.sentences)
    expected = sentence_spans(text, looks_wrapped(text))
    kept = [c.text for c in chunks]
    # Repeated paragraphs are kept once, so every kept sentence is one of the text's sentences.
    assert set(covered) <= set(expected)
    assert {text[a:b] for a, b in covered} == {text[a:b] for a, b in expected}
    assert all(k.strip() == k for k in kept)
