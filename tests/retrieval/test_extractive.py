"""The offline answerer's refusal signal: answer types, definitions, and term support."""

from __future__ import annotations

import pytest

from bot.wording import answer_text
from retrieval.answer.analysis import analyse
from retrieval.answer.answertype import AnswerType, asked_type, offers, quantities
from retrieval.answer.definitions import defined_term, glossed_by_next, glosses
from retrieval.answer.evidence import Evidence, find_gloss, term_forms
from retrieval.answer.extractive import choose
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document
from retrieval.types import Refusal, RefusalReason
from tests.conftest import make_service


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("about 40% of them", {"40%"}),
        ("it cost $5,000 in 2022", {"5,000", "2022"}),
        ("3.5 million dollars", {"3.5", "million"}),
        ("two of the three premises", {"two", "three"}),
    ],
)
def test_amounts_are_found(text, expected):
    assert quantities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "gpt4 level agents in a loop",  # a model's name
        "the o1 series of models",
        "the rough calculation in section 4.4.2",  # a place in a document
        "as I call it in section 4.4, a speed argument",
        "see 2.2.1 of my report",
        "less confident in both (1) and (2)",  # list labels
        "surviving[1] unwanted tendencies",  # a footnote marker
        "Step 3 of the recipe",
        # "one" is far more often a pronoun than a count: "how many steps does bisect need"
        # is not answered by "one way to track down the bug is ...".
        "one way to track down the bug is by searching through the history",
        "no one knows; this one is different",
    ],
)
def test_names_and_labels_are_not_amounts(text):
    assert quantities(text) == set()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how many parameters does it need", AnswerType.COUNT),
        ("how much money goes to safety", AnswerType.AMOUNT),
        ("what percentage of models scheme?", AnswerType.AMOUNT),
        ("what year did chatgpt come out", AnswerType.YEAR),
        ("when was MIRI founded", AnswerType.YEAR),
        ("when's gpt-5 dropping", AnswerType.YEAR),
        ("when did misbehaviour start showing up", AnswerType.TIME),
        ("when do these people expect AGI to arrive", AnswerType.TIME),
        # circumstances, not a time: "if your branch no longer merges cleanly ..."
        ("when is it actually ok to merge upstream into my topic branch?", None),
        ("git branch -d vs git branch -D ? when do i use which", None),
        ("genexp vs listcomp - when is the generator version the better choice?", None),
        ("why would SGD prefer non-schemers", None),
        ("who is Nora exactly", AnswerType.PERSON),
        ("who came up with the coffee robot example", AnswerType.PERSON),
        ("who said that?", AnswerType.PERSON),  # a follow-up: a name, or the texts give none
        ("who was he replying to?", AnswerType.PERSON),
        ("who does that line convince", None),  # "people who ..." answers it, not a name
        ("who is talking about path dependence", None),
        # whoever meets a condition: a role as often as a name ("the release manager")
        ("in the shared repo example, who is allowed to push version tags", None),
        ("who is responsible for the maintenance branch", None),
    ],
)
def test_the_kind_of_answer_a_question_wants(question, kind):
    assert asked_type(question) is kind


def test_a_when_question_is_answered_by_the_event_it_is_placed_by():
    question = "when did the commenter change his mind about chatgpt"
    assert offers(AnswerType.TIME, question, "When ChatGPT came out I was surprised.")
    assert not offers(AnswerType.YEAR, question, "When ChatGPT came out I was surprised.")
    assert offers(AnswerType.YEAR, "what year was it", "It was released in 2022.")


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("can someone explain what the reversal curse actually is", "reversal curse"),
        ("so how does the post define open agency", "open agency"),
        ("what does 'ghost of instrumental reasoning' mean", "ghost of instrumental reasoning"),
        ("backdrop capacity definition?", "backdrop capacity"),
        ("whats a mesa-optimizer", "mesa-optimizer"),
        ("What is RLHF?", "RLHF"),
        ("what's the gold coin example about", None),  # asks what it is about, not what it is
        ("what's the core question the scheming report is asking", None),  # not a term
        ("why would SGD prefer non-schemers", None),
        ("what exactly is open agency?", "open agency"),
        ("what exactly is the 'sweet spot' in that framework, between what and what", "sweet spot"),
        ("what's 'surviving' doing in the o1 comment", None),
        ("mundane adversarial training = ?", "mundane adversarial training"),
        ("safety range, what does that mean in the post", "safety range"),
        ("ok what does that mean", None),
        ("what is your discord bot token?", None),  # an attribute, not a meaning
        ("what is the value of LLM_API_KEY", None),
        ("what is RLHF and how does it work", "RLHF"),
        (
            "whats the 'ghost of instrumental reasoning' supposed to mean",
            "ghost of instrumental reasoning",
        ),
        ("wait what is the reversal curse exactly", "reversal curse"),
        ("wait whats the nvidea stock thing someone mentioned", None),  # what was said of it
        ("can someone explain the gold coins example", None),
    ],
)
def test_definition_questions_name_their_term(question, term):
    assert defined_term(question) == term


@pytest.mark.parametrize(
    "question",
    [
        "whats the recommended way to name loggers",
        "whats the numeric value of logging.ERROR",
        "whats the credential manager called on mac",
    ],
)
def test_asking_for_a_way_a_value_or_a_name_is_no_definition_question(question):
    assert defined_term(question) is None


@pytest.mark.parametrize(
    "question",
    [
        # what a value does where it stands: no sentence glosses "the 5 in listen(5)"
        "what does the 5 in serversocket.listen(5) mean",
        "what does the number 5 in serversocket.listen(5) mean?",
        "what does the number passed to serversocket.listen() mean",
        # an event, a clause: what it means is asked, not what a term is
        "recv returned 0 bytes, what does that mean",
        "git says detached HEAD, what does that mean",
    ],
)
def test_the_meaning_of_a_value_in_place_or_of_an_event_is_no_definition_question(question):
    assert defined_term(question) is None


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("what does detached HEAD mean", "detached HEAD"),
        ("what is supervised learning", "supervised learning"),
        ("whats the speed argument against schemers", "speed argument against schemers"),
    ],
)
def test_terms_that_look_like_verbs_are_still_terms(question, term):
    assert defined_term(question) == term


@pytest.mark.parametrize(
    ("term", "sentence"),
    [
        ("RLHF", "RLHF is a method where people rate the model's outputs."),
        ("RLHF", "RLHF (reinforcement learning from human feedback) helps."),
        ("open agency", "By open agency I mean agency spread over many actors."),
        ("centaur labour", "I add a third category of labour, human-AI teams/centaur labour"),
        ("speed argument", "what I call a “speed argument against schemers”—basically, that SGD"),
        ("surviving", "what we're seeing is surviving[1] unwanted tendencies"),  # a footnote
        ("higher-order function", "A **higher-order function** takes functions as input."),
        ("effective level", "Loggers have a concept of *effective level*."),
        ("glyph", "A character is drawn by graphical elements that's called a **glyph**."),
        ("tree-ish", 'In synopses, the word "tree-ish" is sometimes used to designate it.'),
    ],
)
def test_a_sentence_that_says_what_a_term_is_glosses_it(term, sentence):
    assert glosses(term, sentence)


@pytest.mark.parametrize(
    ("term", "sentence"),
    [
        ("reversal curse", "And I don't see e.g. the reversal curse as strong evidence."),
        ("open agency", 'Could you define what you mean by "open agency"?'),
        ("backdrop capacity", "You mention wisdom as part of backdrop capacity and I agree."),
        ("collapsable boxes", "Collapsable boxes are amazing."),
        ("slack", "The type of path-dependence/slack at stake in training is such that"),
        ("model", "A model is trained on human data."),  # "is" must say what it is
        ("model", "The model takes actions, falls asleep, then wakes up."),
    ],
)
def test_a_sentence_that_only_uses_a_term_does_not_gloss_it(term, sentence):
    assert not glosses(term, sentence)


@pytest.mark.parametrize(
    "question",
    [
        "how many premises does the strongest case against scheming combine",
        "what's centaur labour",
        "what are collapsable boxes",  # the next sentence says: "They are a ... way of ..."
        "what is the speed argument against schemers",
        "what do the 2.2.x sections of the scheming report deal with",
        "is mech interp's focus on representations new",  # "interp" for "interpretability"
    ],
)
def test_questions_the_texts_do_answer_are_answered(seed_service, question):
    answer = seed_service.ask(question)
    assert not answer.refused
    assert answer.citations


def test_a_refusal_says_when_the_texts_use_the_term_but_never_explain_it(seed_service):
    # Whether "what is cyborgism" is refused is the refusal model's call; when it is, the
    # refusal names the term the texts use without saying what it is.
    strict = seed_service.settings.replace(min_relevance=1.0)  # refuse everything
    service = make_service(strict, seed_service.embedder, client=seed_service.store.client)
    answer = service.ask("What is cyborgism?")
    assert answer.refused
    assert answer.citations == ()
    assert answer.refusal == Refusal(RefusalReason.NOT_DEFINED, "cyborgism")
    assert "mention “cyborgism” but don't say what it is" in answer_text(answer)


def test_a_refusal_names_what_the_question_asks_about_that_the_texts_never_mention(seed_service):
    # "Monosemanticity" is in no seed text, in no form, and no everyday word: when the model
    # refuses, saying so tells the member why, and that the texts' own words might find it.
    strict = seed_service.settings.replace(min_relevance=1.0)  # refuse everything
    service = make_service(strict, seed_service.embedder, client=seed_service.store.client)
    answer = service.ask("what did Anthropic find about Monosemanticity in sparse models")
    assert answer.refused
    assert answer.refusal == Refusal(RefusalReason.NOT_MENTIONED, "Monosemanticity")
    assert "never mention “Monosemanticity”" in answer_text(answer)


def test_a_why_answer_brings_a_sentence_that_gives_a_reason(seed_service):
    # The best match restates the situation ("if you never published until you addressed
    # everything, you'd most likely never publish"); the reason is the next line's "in order
    # to spur further research", close enough to the best to be added.
    answer = seed_service.ask("why shouldnt researchers wait until every objection is handled?")
    assert "you'd most likely never publish" in answer.text
    assert "in order to spur further research" in answer.text


def test_a_list_answers_how_many():
    question = "how many objections does the commenter list"
    assert offers(AnswerType.COUNT, question, "a) You raise some interesting points")
    assert not offers(AnswerType.AMOUNT, "what number", "a) You raise some interesting points")


def test_the_answer_to_what_is_x_holds_the_sentence_that_says_what_x_is(seed_service):
    # The best match only names them ("Collapsable boxes are amazing."); the gloss follows.
    answer = seed_service.ask("what are collapsable boxes")
    assert not answer.refused
    assert "They are a particularly nice way of providing a skippable aside" in answer.text
    assert any("skippable aside" in c.quote for c in answer.citations)


def test_a_who_question_is_answered_by_a_name_it_does_not_already_hold():
    evidence = "the arguments that I took you and Nora to be gesturing at on twitter"
    assert offers(AnswerType.PERSON, "who else was hinting at those arguments", evidence)
    assert not offers(AnswerType.PERSON, "who is nora", evidence)
    assert not offers(AnswerType.PERSON, "who wrote it", "Great post, I liked the diagrams.")
    # A pronoun or an article capitalised after a list label or a colon names no one.
    labelled = "a) You raise some interesting points. Note: The report says so."
    assert not offers(AnswerType.PERSON, "who wrote the post", labelled)


@pytest.mark.parametrize(
    "evidence",
    [
        "Another name for this idiom is the Schwartzian transform, after Randal L. Schwartz.",
        "Fredrik Lundh once suggested the following set of rules.",
        "Use the update-hook example by Carl from Documentation/howto/.",
        "He thinks so, and Jukka Korpela has written an introductory guide.",
    ],
)
def test_a_name_that_is_credited_or_has_several_words_names_a_person(evidence):
    assert offers(AnswerType.PERSON, "who came up with it", evidence)


@pytest.mark.parametrize(
    "evidence",
    [
        "As an analogy, even if I was bullish on Nvidea stock prices, a crash proves nothing.",
        "I changed my mind before seeing Claude quote its own scenario.",
        "The Timsort algorithm used in Python does multiple sorts efficiently.",
        "When ChatGPT came out I was surprised by how aligned the model was.",
    ],
)
def test_a_product_or_a_model_is_no_person(evidence):
    assert not offers(AnswerType.PERSON, "who said that", evidence)


@pytest.mark.parametrize(
    "question",
    [
        "which python version added itertools.accumulate?",
        "in which Git release did ort become the default",
        "is dict order the insertion order? since when",
    ],
)
def test_a_which_version_question_asks_for_a_version(question):
    assert asked_type(question) is AnswerType.VERSION
    assert offers(AnswerType.VERSION, question, "This was added in Python 3.2.")
    assert offers(AnswerType.VERSION, question, "Since 2.28.0 it is the default.")
    assert not offers(AnswerType.VERSION, question, "A related function is accumulate().")


def test_what_letters_stand_for_is_answered_only_where_the_text_spells_them_out():
    spelled = 'htonl, where "n" means *network* and "h" means *host*, "s" means *short*'
    question = "what do the letters n h s l stand for in htonl"
    assert asked_type(question) is AnswerType.EXPANSION
    assert offers(AnswerType.EXPANSION, question, spelled)
    assert offers(AnswerType.EXPANSION, "what does UTF stand for", 'UTF stands for "Unicode..."')
    # Named without being spelled out, or another code spelled out: no answer of the kind.
    named = "By default Git uses a strategy called the `ort` strategy, a three-way merge."
    assert not offers(AnswerType.EXPANSION, "what does ort stand for", named)
    codes = "'Ll' means 'Letter, lowercase', 'No' means 'Number, other'."
    assert not offers(AnswerType.EXPANSION, "what does Lo stand for?", codes)


def test_how_many_of_a_unit_asks_for_a_number_and_of_things_may_be_a_list():
    assert asked_type("how many minutes does the cache helper keep my password") is (
        AnswerType.AMOUNT
    )
    assert asked_type("how many pages is the scheming report") is AnswerType.AMOUNT
    assert asked_type("how many premises does the argument have") is AnswerType.COUNT
    listed = "a) training gets the model SGD prefers, and b) SGD prefers non-schemers"
    assert offers(AnswerType.COUNT, "how many premises does it have", listed)
    assert not offers(AnswerType.AMOUNT, "how many minutes does it wait", "It waits a long time.")


def test_the_sentence_after_one_naming_a_term_may_describe_it_under_a_noun_of_its_kind():
    assert glossed_by_next("This internal handler is not associated with any logger.")
    assert not glossed_by_next("This is surprisingly effective.")


def test_a_term_asked_in_a_context_is_glossed_where_the_text_writes_it_alone():
    assert term_forms("glyph in unicode terms") == ["glyph in unicode terms", "glyph"]
    assert term_forms("man in the middle") == ["man in the middle", "man"]  # the whole term first
    assert term_forms("lastResort") == ["lastResort"]


_SECTION = (
    "Lambda Expressions\n"
    "------------------\n"
    "\n"
    "Small anonymous functions can be created with the lambda keyword. They can be used\n"
    "wherever function objects are required.\n"
)


def _sentences_of(text: str) -> list[Evidence]:
    (passage,) = chunk_corpus([Document("tutorial.rst.txt", text)], chunk_chars=5000)
    return [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]


def test_a_section_headed_by_the_term_glosses_it_with_its_first_sentence_of_prose():
    evidence = _sentences_of(_SECTION)
    (gloss,) = find_gloss("lambda expressions", evidence)
    assert gloss.text.startswith("Small anonymous functions can be created")
    # A heading that names more than the term (or another term) says what its section is about.
    assert find_gloss("expressions", evidence) is None
    assert find_gloss("generator expressions", evidence) is None


def test_a_line_that_only_repeats_the_question_comes_with_the_sentence_that_speaks_of_it():
    (passage,) = chunk_corpus(
        [
            Document(
                "sockets.txt",
                "First, the web server creates a server socket::\n\n"
                "    serversocket.listen(5)\n\n"
                "Sockets come in many kinds and most of them are not discussed here.\n\n"
                "Finally, the argument to listen tells the library to queue up as many as 5\n"
                "connect requests before refusing outside connections.\n",
            )
        ],
        chunk_chars=5000,
    )
    code = next(i for i in range(len(passage.sentences)) if "listen(5)" in passage.sentence_text(i))
    scores = {code: 0.9}
    evidence = [
        Evidence(
            passage,
            0,
            i,
            scores.get(i, 0.3 if "argument" in passage.sentence_text(i) else 0.4),
            0.0,
        )
        for i in range(len(passage.sentences))
    ]
    evidence.sort(key=lambda e: -e.score)
    facts = analyse("what does the 5 in serversocket.listen(5) mean")
    texts = [" ".join(e.text.split()) for e in choose(evidence, (), 3, facts)]
    assert "serversocket.listen(5)" in texts
    # the sentence that speaks of listen, not the better-scored one that does not
    assert any(t.startswith("Finally, the argument to listen") for t in texts)
    assert not any(t.startswith("Sockets come in many kinds") for t in texts)
