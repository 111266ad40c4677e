"""A fictional knowledge world: invented people with a city, a guild and a pet.

Facts are short sentences, retrieved snippets are an entity's facts plus distractor facts about
other entities, and multiple-choice questions come in three paraphrased templates per attribute.
*Known* entities teach the base model the language and how to read snippets; *target* entities
are the new domain the arms must embed (the base has never seen their facts).

>>> world = build_world(n_known=6, n_target=4, n_options=4, n_distractors=2, seed=0)
>>> len(world.known), len(world.target), len(world.target_questions("train")) > 0
(6, 4, True)
>>> q = world.target_questions("train")[0]
>>> q.answer in q.options and len(q.options) == 4 and q.entity in q.question
True
>>> fact_sentence(q.entity, q.attribute, q.answer) in q.snippets
True
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

SYLLABLES = ("ka", "lo", "mi", "ru", "te", "zo", "vi", "na", "pe", "su", "do", "fa", "gri", "bel")
VALUES: dict[str, tuple[str, ...]] = {
    "city": ("quell", "brisk", "ommar", "tavel", "yorin", "dusk", "faro", "lune", "mirth", "pell", "sorrow", "vant"),
    "guild": ("smiths", "weavers", "tanners", "masons", "scribes", "brewers", "potters", "archers"),
    "pet": ("owl", "fox", "newt", "hare", "crow", "toad", "lynx", "moth", "wren", "eel"),
}
ATTRIBUTES = tuple(VALUES)
FACT_TEMPLATES = {
    "city": "{e} lives in {v} .",
    "guild": "{e} is a member of the {v} .",
    "pet": "{e} keeps a pet {v} .",
}
# Three paraphrases per attribute. Training uses the first two; the third is held out so that a
# correct answer to it shows knowledge, not a memorised question string.
QUESTION_TEMPLATES = {
    "city": ("where does {e} live ?", "in which city does {e} reside ?", "what is the home town of {e} ?"),
    "guild": ("which guild does {e} belong to ?", "what guild has {e} joined ?", "{e} is a member of which guild ?"),
    "pet": ("what pet does {e} keep ?", "which animal does {e} own ?", "what animal lives with {e} ?"),
}
TRAIN_TEMPLATES = (0, 1)
HELDOUT_TEMPLATE = 2
PROMPT_WORDS = ("context", "question", "answer", ":")

Split = Literal["train", "paraphrase", "untrained_fact"]


def fact_sentence(entity: str, attribute: str, value: str) -> str:
    """The sentence stating one fact.

    >>> fact_sentence("kalo", "pet", "owl")
    'kalo keeps a pet owl .'
    """
    return FACT_TEMPLATES[attribute].format(e=entity, v=value)


@dataclass(frozen=True)
class Question:
    """One multiple-choice question with its retrieved snippets (the authors' item schema, plus provenance)."""

    question: str
    options: tuple[str, ...]
    answer: str
    snippets: tuple[str, ...]
    entity: str = ""
    attribute: str = ""
    split: str = "train"

    @property
    def ctx(self) -> str:
        """Snippets newline-separated, as in the authors' ``ctx`` field."""
        return "\n".join(self.snippets)

    @property
    def gold_index(self) -> int:
        return self.options.index(self.answer)


@dataclass
class World:
    known: dict[str, dict[str, str]]
    target: dict[str, dict[str, str]]
    n_options: int
    n_distractors: int
    seed: int
    # per target entity, the attribute whose question is never trained
    untrained_attribute: dict[str, str] = field(default_factory=dict)

    def vocabulary(self) -> list[str]:
        """Every word the world can produce, in a fixed order (for a word-level tokenizer)."""
        words: list[str] = list(PROMPT_WORDS)
        texts = list(FACT_TEMPLATES.values()) + [t for ts in QUESTION_TEMPLATES.values() for t in ts]
        for text in texts:
            words += [w for w in text.split() if w not in ("{e}", "{v}")]
        words += [v for values in VALUES.values() for v in values]
        words += all_names()
        return list(dict.fromkeys(words))

    def snippets_for(
        self, entity: str, facts: dict[str, str], rng: random.Random, pool: dict[str, dict[str, str]]
    ) -> tuple[str, ...]:
        """The entity's fact sentences plus distractor facts of other entities from ``pool``, shuffled."""
        own = [fact_sentence(entity, a, v) for a, v in facts.items()]
        others = [e for e in pool if e != entity]
        distractors = []
        for other in rng.sample(others, min(self.n_distractors, len(others))):
            attribute = rng.choice(ATTRIBUTES)
            distractors.append(fact_sentence(other, attribute, pool[other][attribute]))
        snippets = own + distractors
        rng.shuffle(snippets)
        return tuple(snippets)

    def make_question(
        self,
        entity: str,
        facts: dict[str, str],
        attribute: str,
        template: int,
        rng: random.Random,
        pool: dict[str, dict[str, str]],
        split: str = "train",
    ) -> Question:
        answer = facts[attribute]
        wrong = rng.sample([v for v in VALUES[attribute] if v != answer], self.n_options - 1)
        options = [answer, *wrong]
        rng.shuffle(options)
        return Question(
            question=QUESTION_TEMPLATES[attribute][template].format(e=entity),
            options=tuple(options),
            answer=answer,
            snippets=self.snippets_for(entity, facts, rng, pool),
            entity=entity,
            attribute=attribute,
            split=split,
        )

    def target_questions(self, split: Split) -> list[Question]:
        """Questions about target entities.

        ``train``: the two training templates of every attribute except the entity's untrained one;
        ``paraphrase``: the held-out template for those same (trained) facts;
        ``untrained_fact``: every template for the attribute whose question is never trained.
        """
        rng = random.Random(f"{self.seed}-{split}")
        out = []
        for entity, facts in self.target.items():
            skip = self.untrained_attribute[entity]
            for attribute in ATTRIBUTES:
                templates: Iterable[int]
                if split == "untrained_fact":
                    templates = range(len(QUESTION_TEMPLATES[attribute])) if attribute == skip else ()
                elif attribute == skip:
                    templates = ()
                else:
                    templates = TRAIN_TEMPLATES if split == "train" else (HELDOUT_TEMPLATE,)
                for template in templates:
                    out.append(self.make_question(entity, facts, attribute, template, rng, self.target, split))
        return out

    def heldout_questions(self) -> list[Question]:
        """The primary evaluation set: paraphrased questions and questions about never-trained facts."""
        return self.target_questions("paraphrase") + self.target_questions("untrained_fact")


def all_names() -> list[str]:
    """Invented two-syllable names, in a fixed order.

    >>> all_names()[:3]
    ['kalo', 'kami', 'karu']
    """
    return [a + b for a, b in itertools.permutations(SYLLABLES, 2)]


def random_facts(rng: random.Random) -> dict[str, str]:
    return {attribute: rng.choice(values) for attribute, values in VALUES.items()}


def build_world(*, n_known: int, n_target: int, n_options: int, n_distractors: int, seed: int) -> World:
    """A world whose known and target entities are disjoint; the same seed gives the same world."""
    names = all_names()
    if n_known + n_target > len(names):
        raise ValueError(f"n_known + n_target must be at most {len(names)} (names available)")
    if not 2 <= n_options <= min(len(v) for v in VALUES.values()):
        raise ValueError(f"n_options must lie in [2, {min(len(v) for v in VALUES.values())}]")
    rng = random.Random(seed)
    chosen = rng.sample(names, n_known + n_target)
    known = {name: random_facts(rng) for name in chosen[:n_known]}
    target = {name: random_facts(rng) for name in chosen[n_known:]}
    untrained = {name: rng.choice(ATTRIBUTES) for name in target}
    return World(
        known=known,
        target=target,
        n_options=n_options,
        n_distractors=n_distractors,
        seed=seed,
        untrained_attribute=untrained,
    )


def fabricated_profiles(questions: list[Question], seed: int) -> dict[str, dict[str, str]]:
    """One fabricated profile (random city, guild and pet) per entity the questions name."""
    rng = random.Random(f"fabricated-{seed}")
    profiles: dict[str, dict[str, str]] = {}
    for q in questions:
        if q.entity and q.entity not in profiles:
            profiles[q.entity] = random_facts(rng)
    return profiles


def fabricated(questions: list[Question], seed: int) -> list[Question]:
    """The questions with uninformative snippets: each entity's fact sentences restated from its fabricated
    profile (so its snippets agree with each other, and with :func:`fabricated_answers`); questions without
    an entity (a real dataset) get another item's snippets instead.

    >>> world = build_world(n_known=4, n_target=3, n_options=4, n_distractors=0, seed=0)
    >>> qs = world.target_questions("train")
    >>> fake = fabricated(qs, seed=1)
    >>> [q.question for q in fake] == [q.question for q in qs], fake[0].snippets != qs[0].snippets
    (True, True)
    """
    profiles = fabricated_profiles(questions, seed)
    rng = random.Random(f"fabricated-ctx-{seed}")
    out = []
    for i, q in enumerate(questions):
        if q.entity:
            snippets = tuple(fact_sentence(q.entity, a, v) for a, v in profiles[q.entity].items())
        else:
            snippets = questions[(i + 1 + rng.randrange(max(1, len(questions) - 1))) % len(questions)].snippets
        out.append(Question(q.question, q.options, q.answer, snippets, q.entity, q.attribute, q.split))
    return out


def fabricated_answers(questions: list[Question], seed: int) -> list[Question]:
    """The questions with an answer key from the fabricated profiles (a uniformly drawn option for questions
    without an entity): labels that carry no information about the truth.

    >>> world = build_world(n_known=4, n_target=3, n_options=4, n_distractors=0, seed=0)
    >>> qs = fabricated_answers(world.target_questions("train"), seed=0)
    >>> profiles = fabricated_profiles(world.target_questions("train"), seed=0)
    >>> all(q.answer == profiles[q.entity][q.attribute] for q in qs)
    True
    """
    profiles = fabricated_profiles(questions, seed)
    rng = random.Random(f"fabricated-answers-{seed}")
    return [
        Question(
            q.question,
            q.options,
            profiles[q.entity][q.attribute] if q.entity else rng.choice(q.options),
            q.snippets,
            q.entity,
            q.attribute,
            q.split,
        )
        for q in questions
    ]
