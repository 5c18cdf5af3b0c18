from hypothesis import example, given, settings
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
# Found by this test: the same words cut into other sentences are no copy of a paragraph.
@example(["Plain words", "Alpha beta.", "Plain words Alpha beta."], 120)
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


def test_a_passage_that_starts_or_ends_inside_a_code_block_knows_its_lines_are_code():
    """The chunker sees the whole file: a fence opened in one passage and closed in the next
    leaves each passage's own text unable to tell which of its lines are code."""
    from retrieval.answer.spans import is_code
    from retrieval.index.records import passage_from, passage_metadata

    before = "\n".join(f"Step {n} of the setup is described in this sentence." for n in range(4))
    code = "\n".join(f"run --step {n} --verbose" for n in range(30))
    after = "\n".join(f"Note {n} on the result is given in this sentence." for n in range(4))
    doc = Document("setup.md", f"{before}\n\n```\n{code}\n```\n\n{after}\n")
    chunks = chunk_corpus([doc], chunk_chars=300)
    assert [c.text.startswith("run --step") for c in chunks].count(True) >= 2  # cut mid-block
    for chunk in chunks:
        read_back = passage_from(chunk.text, passage_metadata(chunk))  # as the index holds it
        for passage in (chunk, read_back):
            lines = range(len(passage.sentences))
            shown = [is_code(passage, i) for i in lines]
            expected = [passage.sentence_text(i).startswith("run --step") for i in lines]
            assert shown == expected, passage.text[:80]


def test_a_record_written_before_code_flags_reads_its_code_from_its_text():
    from retrieval.index.records import CODE_KEY, passage_from, passage_metadata

    (chunk,) = chunk_corpus([Document("a.md", "Run this:\n\n```\nmake test\n```\n")])
    meta = passage_metadata(chunk)
    assert meta[CODE_KEY] == [0, 0, 1, 0]
    older = {k: v for k, v in meta.items() if k != CODE_KEY}
    assert passage_from(chunk.text, older).code is None
    assert passage_from(chunk.text, {**meta, CODE_KEY: [1]}).code is None  # not its own
