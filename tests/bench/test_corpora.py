"""The large corpus's names for eval/'s corpora, and the gold spans named with them."""

from bench import corpora
from retrieval.evaluation.evaluate import load_cases


def test_every_gold_file_of_the_dev_sets_is_a_leading_file_of_the_large_corpus():
    leading = {name for _, name in corpora.eval_files()}
    for folder in ("howtos", "gitdocs"):
        cases = corpora.scale_cases(corpora.EVAL / folder / "questions.jsonl")
        golds = {g.source for c in cases for g in c.gold}
        assert golds and golds <= leading


def test_names_follow_the_package_folders_and_the_seeds_keep_theirs():
    assert corpora.scale_name("howtos", "sorting.rst.txt") == "docs/python/howto/sorting.rst.txt"
    assert corpora.scale_name("gitdocs", "gitfaq.txt") == "docs/git/gitfaq.txt"
    seeds = corpora.EVAL / "questions.jsonl"
    mapped = corpora.scale_cases(seeds)
    assert [c.gold for c in mapped] == [c.gold for c in load_cases(seeds)]
