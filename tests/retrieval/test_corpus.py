from pathlib import Path

import pytest

from retrieval.errors import CorpusError
from retrieval.ingest.corpus import Document, read_corpus, read_lines


def test_reads_txt_and_md_recursively_and_skips_the_rest(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Alpha.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# Beta\n\nText.\n", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    scan = read_corpus(tmp_path)
    assert [d.source for d in scan.documents] == ["a.txt", "sub/b.md"]


def test_binary_and_non_utf8_files_are_skipped_with_a_reason(tmp_path: Path):
    (tmp_path / "good.txt").write_text("Good text.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"abc\x00def")
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    scan = read_corpus(tmp_path)
    assert [d.source for d in scan.documents] == ["good.txt"]
    reasons = dict(scan.skipped)
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]


def test_windows_newlines_and_bom_are_normalised(tmp_path: Path):
    (tmp_path / "w.txt").write_bytes("\ufeffOne.\r\nTwo.\r\n".encode())
    doc = read_corpus(tmp_path).documents[0]
    assert doc.text == "One.\nTwo.\n"
    assert read_lines(tmp_path, "w.txt", 2, 2) == "Two."


@pytest.mark.parametrize("setup", ["missing", "empty", "only-blank"])
def test_an_unusable_corpus_is_a_clear_error(tmp_path: Path, setup: str):
    folder = tmp_path / "corpus"
    if setup != "missing":
        folder.mkdir()
    if setup == "only-blank":
        (folder / "blank.txt").write_text("  \n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"[Cc]orpus"):
        read_corpus(folder)


def test_a_source_line_gives_the_document_its_url(tmp_path: Path):
    (tmp_path / "p.md").write_text("Source: https://example.org/post/1\n\nBody.", encoding="utf-8")
    assert read_corpus(tmp_path).documents[0].url == "https://example.org/post/1"


def test_line_numbers_are_one_based():
    doc = Document("x.txt", "first\nsecond\nthird")
    assert doc.line_of(0) == 1
    assert doc.line_of(doc.text.index("third")) == 3
    assert doc.lines(2, 3) == "second\nthird"
