import numpy as np
import pytest

from retrieval.errors import ModelError, SettingsError
from retrieval.index import embedder as embedder_module
from retrieval.index.embedder import MiniLMEmbeddings, make_embeddings


def test_vectors_are_unit_length_and_similar_texts_are_close(embedder):
    vectors = embedder.embed_array(
        ["SGD punishes extra reasoning.", "Training penalises additional reasoning.", "Boil eggs."]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_batching_and_padding_do_not_change_a_vector(embedder):
    alone = embedder.embed_array(["short text"])[0]
    batched = embedder.embed_array(["short text", "a much longer text " * 20])[0]
    assert np.allclose(alone, batched, atol=1e-4)


def test_langchain_interface_returns_lists(embedder):
    assert len(embedder.embed_query("hello")) == 384
    assert len(embedder.embed_documents(["a", "b"])) == 2


def test_a_model_file_that_fails_its_checksum_is_refused(monkeypatch):
    monkeypatch.setattr(embedder_module, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="sha256"):
        MiniLMEmbeddings()


def test_the_default_embedder_is_the_shipped_model():
    assert isinstance(make_embeddings("minilm"), MiniLMEmbeddings)


@pytest.mark.parametrize("spec", ["nonsense", "no-such-provider:model"])
def test_an_unknown_embedder_is_a_settings_error(spec):
    with pytest.raises(SettingsError, match="EMBEDDINGS"):
        make_embeddings(spec)
