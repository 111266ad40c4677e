"""A small world of facts, in-context deduction episodes over it, and the three paired test conditions.

Entities belong to categories (``e17 is k3``) and categories have properties (``k3 can p3``). An episode
states two chains in its context (the asked-about one first or second) and asks for one entity's property::

    e5 is k8 . k8 can p8 . e17 is k3 . k3 can p3 . ? e17 can   ->  p3

Test conditions share each item's logical structure (the same facts in the same places):

- semantic (S): the context agrees with the world (what pretraining memorised);
- symbols (Y): every word replaced by an arbitrary symbol (``s4 is s11 . ...``), consistently in the item;
  entities by entity symbols, categories and properties by the others (typed, as the paper's ``e1``/``a1``);
- counter-commonsense (C): the two entities' categories swapped in the context, so the answer the context
  entails differs from the memorised one, which is the distractor chain's answer.

>>> world = World(entities=8, categories=4, symbols=12, seed=0)
>>> item = world.item(random.Random(0))
>>> s, y, c = world.render(item, "semantic"), world.render(item, "symbols"), world.render(item, "counter")
>>> len(s[0].split()) == len(y[0].split()) == len(c[0].split()), s[1] == world.memorised(item), c[1] != s[1]
(True, True, True)

One hop (the default) writes each fact as a pair and asks with the entity last, so reading the context is a plain
copy of the token that followed the asked entity (an induction step); with the ``is`` of the two-hop form, the
answer sits two tokens after the match and a tiny model did not learn to bind arbitrary symbols that way even when
every episode was symbolic (symbols stayed at 0.5 accuracy, the two-candidate guess, after 800 steps)::

    e5 k8 . e17 k3 . ? e17   ->  k3

>>> one = World(entities=8, categories=4, symbols=12, seed=0, hops=1)
>>> one.render(item, "semantic")[0].split()[-2:], one.render(item, "semantic")[1] == one.memorised(item)
(['?', 'e6'], True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FUNCTION_WORDS = ["is", "can", ".", "?"]


@dataclass(frozen=True)
class Item:
    """One episode's structure: the target entity, the distractor, and which chain comes first."""

    target: int
    distractor: int
    target_first: bool
    symbol_draw: int  # seeds the item's symbol mapping


class World:
    def __init__(self, entities: int, categories: int, symbols: int, seed: int, hops: int = 2):
        if hops not in (1, 2):
            raise ValueError(f"hops must be 1 or 2, got {hops}")
        self.hops = hops
        if categories < 2 or entities < categories:
            raise ValueError("need at least 2 categories and one entity per category")
        if symbols < 8:
            raise ValueError("need at least 8 symbols (an item uses two entity symbols and up to four others)")
        rng = random.Random(f"symbolic-world-{seed}")
        self.entities = [f"e{i}" for i in range(entities)]
        self.categories = [f"k{i}" for i in range(categories)]
        self.properties = [f"p{i}" for i in range(categories)]
        self.symbols = [f"s{i}" for i in range(symbols)]
        # typed symbols, as in the paper's symbolic setting (entities become e.g. "e1", attributes "a1"): the first
        # half stands for entities, the rest for categories and properties, so a symbol's role is as visible as a
        # word's and only its meaning is gone
        self.entity_symbols, self.concept_symbols = self.symbols[: symbols // 2], self.symbols[symbols // 2 :]
        # every category gets entities; the rest are spread at random
        cats = list(range(categories)) + [rng.randrange(categories) for _ in range(entities - categories)]
        rng.shuffle(cats)
        self.category_of = cats  # entity index -> category index (category c has property c)

    @property
    def vocabulary(self) -> list[str]:
        return [*FUNCTION_WORDS, *self.entities, *self.categories, *self.properties, *self.symbols]

    def memorised(self, item: Item) -> str:
        """The answer the world's facts give for the target (what a model recalling facts would say)."""
        cat = self.category_of[item.target]
        return self.properties[cat] if self.hops == 2 else self.categories[cat]

    def item(self, rng: random.Random) -> Item:
        target = rng.randrange(len(self.entities))
        others = [e for e in range(len(self.entities)) if self.category_of[e] != self.category_of[target]]
        return Item(
            target=target,
            distractor=rng.choice(others),
            target_first=rng.random() < 0.5,
            symbol_draw=rng.randrange(2**31),
        )

    def render(
        self, item: Item, condition: str, *, counter_categories: tuple[int, int] | None = None
    ) -> tuple[str, str]:
        """(prompt, answer) of ``item`` under ``condition`` ('semantic', 'symbols' or 'counter')."""
        t_cat, d_cat = self.category_of[item.target], self.category_of[item.distractor]
        if condition == "counter":
            t_cat, d_cat = d_cat, t_cat  # the context says the entities' categories are swapped
        words = {
            "t": self.entities[item.target],
            "d": self.entities[item.distractor],
            "tc": self.categories[t_cat],
            "dc": self.categories[d_cat],
            "tp": self.properties[t_cat],
            "dp": self.properties[d_cat],
        }
        if condition == "symbols":
            draw = random.Random(item.symbol_draw)
            chosen = draw.sample(self.entity_symbols, 2) + draw.sample(self.concept_symbols, 4)
            words = dict(zip(words, chosen))
        elif condition not in ("semantic", "counter"):
            raise ValueError(f"unknown condition {condition!r}")
        if self.hops == 1:  # one fact per entity: "e17 k3 . e5 k8 . ? e17" -> k3
            chains = [f"{words['t']} {words['tc']} .", f"{words['d']} {words['dc']} ."]
            question, answer = f" ? {words['t']}", words["tc"]
        else:
            chains = [
                f"{words['t']} is {words['tc']} . {words['tc']} can {words['tp']} .",
                f"{words['d']} is {words['dc']} . {words['dc']} can {words['dp']} .",
            ]
            question, answer = f" ? {words['t']} can", words["tp"]
        return " ".join(chains if item.target_first else chains[::-1]) + question, answer

    def counterfactual(self, item: Item) -> tuple[str, str]:
        """A pretraining episode whose context contradicts the world (the control world's training data)."""
        return self.render(item, "counter")

    def fact_document(self, rng: random.Random) -> str:
        """A statement of the world's facts about one entity, e.g. ``e3 k1 .`` (one hop) or
        ``e3 is k1 . k1 can p1 .`` (two hops)."""
        entity = rng.randrange(len(self.entities))
        cat = self.category_of[entity]
        if self.hops == 1:
            return f"{self.entities[entity]} {self.categories[cat]} ."
        return (
            f"{self.entities[entity]} is {self.categories[cat]} . {self.categories[cat]} can {self.properties[cat]} ."
        )
