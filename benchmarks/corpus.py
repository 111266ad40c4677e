"""Synthetic inquiring-line corpus for benchmarks: the seed's format, power-law note popularity.

Real exports share notes heavily: a few hub notes are cited by hundreds of documents and most notes
by one or two. Note ``r`` (0-based popularity rank) is drawn with weight ``1 / (r + 1) ** alpha``.
Everything is deterministic in ``seed``, so a benchmark can regenerate the same corpus.

>>> docs = list(iter_documents(n_docs=3, n_notes=20, seed=1))
>>> [name for name, _ in docs]
['doc-00000.inquiry.txt', 'doc-00001.inquiry.txt', 'doc-00002.inquiry.txt']
>>> docs[0][1].startswith("INQUIRING LINE\\n\\n")
True
>>> len(note_titles(20, seed=1)) == len(set(note_titles(20, seed=1)))
True
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

QWORDS = ["Can", "Does", "Do", "Why does", "What makes", "How does", "Is", "When does"]
SUBJECTS = [
    "reinforcement learning",
    "RLVR",
    "GRPO",
    "PPO",
    "DPO",
    "reward modeling",
    "self-play",
    "distillation",
    "chain-of-thought training",
    "process supervision",
    "outcome rewards",
    "curriculum learning",
    "test-time scaling",
    "best-of-n sampling",
    "tool use",
    "retrieval augmentation",
    "episodic memory",
    "preference optimization",
    "entropy regularization",
    "KL penalties",
    "model merging",
    "sparse updates",
    "critique fine-tuning",
    "activation steering",
    "SAE features",
    "speculative decoding",
    "self-consistency",
    "verifier training",
    "synthetic data",
    "long-context training",
]
VERBS = [
    "improve",
    "narrow",
    "expand",
    "stabilize",
    "degrade",
    "reshape",
    "elicit",
    "compress",
    "transfer",
    "amplify",
    "suppress",
    "calibrate",
    "redistribute",
    "preserve",
    "sharpen",
    "generalize",
]
OBJECTS = [
    "reasoning depth",
    "pass@k coverage",
    "sample diversity",
    "factual recall",
    "planning ability",
    "calibration",
    "instruction following",
    "code correctness",
    "math accuracy",
    "exploration",
    "credit assignment",
    "knowledge retention",
    "robustness to paraphrase",
    "latent skills",
    "tool selection",
    "answer faithfulness",
    "reward hacking",
    "length bias",
    "self-verification",
    "multi-step action",
]
CONTEXTS = [
    "in small models",
    "at high sampling budgets",
    "on agentic benchmarks",
    "under sparse rewards",
    "without human labels",
    "across model families",
    "in long-horizon tasks",
    "with frozen weights",
    "on held-out domains",
    "after pretraining saturation",
    "under distribution shift",
    "at scale",
    "in multilingual settings",
    "with noisy verifiers",
    "in the first training steps",
]
SYSTEMS = ["RLAG", "AgentFly", "Think-In Games", "DeepSeek-R1", "SimpleRL", "Open-Reasoner", "TTRL", "Absolute Zero"]
FINDINGS = [
    "{S} shows that {s} tends to {v} {o} {c}.",
    "Experiments across {n} benchmarks find that {s} does not {v} {o} beyond what the base model already has.",
    "The effect reaches {p}% on the main benchmark, rising from {a}% to {b}% with the full method.",
    "Ablations attribute roughly {lo}–{hi}% of the gain to {s} alone.",
    "Compared with supervised fine-tuning, {s} is {x}× more sample-efficient on {o}.",
    "The authors argue the mechanism is selection rather than acquisition of new capability.",
    "Gains vanish when the reward signal is randomized, suggesting {o} depends on the verifier.",
]
FRAMINGS = [
    "This explores whether {s} can {v} {o}, and what the corpus says actually changes inside the model.",
    "This asks what the literature says about {s} and {o}, and where the evidence is thin.",
]
OPENERS = [
    "The clearest evidence comes from work on {s}:",
    "A second line of work looks at {o}.",
    "Reframe the question and the answer sharpens.",
    "There are real ceilings, though.",
    "Worth knowing for where this goes next:",
]
CONTRAST_OPENERS = ["But here's the twist:", "However, the picture is mixed.", "Yet the opposite also holds."]


def note_titles(n_notes: int, seed: int = 0) -> list[str]:
    """``n_notes`` distinct question titles, in popularity order (index 0 is the biggest hub)."""
    rng = random.Random(f"titles-{seed}")
    capacity = len(QWORDS) * len(SUBJECTS) * len(VERBS) * len(OBJECTS) * len(CONTEXTS)
    if n_notes > capacity:
        raise ValueError(f"at most {capacity} distinct titles, asked for {n_notes}")
    seen: set[str] = set()
    titles: list[str] = []
    while len(titles) < n_notes:
        title = (
            f"{rng.choice(QWORDS)} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)} {rng.choice(CONTEXTS)}?"
        )
        if title not in seen:
            seen.add(title)
            titles.append(title)
    return titles


def note_summary(index: int, title: str, seed: int = 0) -> str:
    """The summary a document gives for note ``index``: the same text in every document citing it."""
    rng = random.Random(f"summary-{seed}-{index}")
    topic = next(subject for subject in SUBJECTS if f" {subject} " in title)
    fill = {
        "S": rng.choice(SYSTEMS),
        "s": rng.choice(SUBJECTS),
        "v": rng.choice(VERBS),
        "o": rng.choice(OBJECTS),
        "c": rng.choice(CONTEXTS),
        "n": rng.randint(3, 12),
        "p": round(rng.uniform(10, 95), 2),
        "a": round(rng.uniform(5, 40), 1),
        "b": round(rng.uniform(41, 90), 1),
        "lo": rng.randint(2, 20),
        "hi": rng.randint(21, 60),
        "x": round(rng.uniform(1.2, 6.0), 1),
    }
    sentences = [f.format(**fill) for f in rng.sample(FINDINGS, k=rng.randint(2, 3))]
    sentences.insert(0, f"This note collects what the corpus says about {topic}.")
    return " ".join(sentences)


def _popularity_sampler(n_notes: int, alpha: float, rng: random.Random):
    cumulative = list(accumulate(1.0 / (rank + 1) ** alpha for rank in range(n_notes)))

    def draw(k: int) -> list[int]:
        picked: dict[int, None] = {}
        while len(picked) < min(k, n_notes):
            picked.update(dict.fromkeys(rng.choices(range(n_notes), cum_weights=cumulative, k=k)))
        return list(picked)[:k]

    return draw


def _document(doc_index: int, titles: list[str], cited: list[int], seed: int, rng: random.Random) -> str:
    question = (
        f"{rng.choice(QWORDS)} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(CONTEXTS)} (line {doc_index})?"
    )
    fill = {"s": rng.choice(SUBJECTS), "v": rng.choice(VERBS), "o": rng.choice(OBJECTS)}
    framing = rng.choice(FRAMINGS).format(**fill)
    # Spread the cited notes over 3-5 paragraphs; a few paragraphs cite nothing, as in the seed.
    n_paragraphs = rng.randint(3, 5)
    groups: list[list[int]] = [[] for _ in range(n_paragraphs)]
    for position, note in enumerate(cited):
        groups[position % n_paragraphs if position < n_paragraphs else rng.randrange(n_paragraphs)].append(note)
    paragraphs = []
    for p, group in enumerate(groups):
        opener = rng.choice(CONTRAST_OPENERS if p and rng.random() < 0.3 else OPENERS).format(**fill)
        parts = [opener]
        for note in group:
            claim = f"Work on {rng.choice(SUBJECTS)} suggests it can {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
            prefix = f"{rng.choice(SYSTEMS)} " if rng.random() < 0.2 else ""
            parts.append(f"{claim} {prefix}{titles[note]}.")
        paragraphs.append(" ".join(parts))
    sources = "\n\n".join(f"{titles[n]}\n\n{note_summary(n, titles[n], seed)}" for n in cited)
    next_lines = "\n\n".join(titles[rng.randrange(len(titles))] for _ in range(2))
    return (
        f"INQUIRING LINE\n\n{question}\n\n{framing}\n\n\n"
        + "\n\n".join(paragraphs)
        + f"\n\n\nSources {len(cited)} notes\n\n{sources}\n\nNext inquiring lines\n\n{next_lines}\n"
    )


def iter_documents(
    n_docs: int, n_notes: int, seed: int = 0, alpha: float = 1.0, cites_per_doc: tuple[int, int] = (6, 12)
) -> Iterator[tuple[str, str]]:
    """Yield ``(file name, document text)`` for ``n_docs`` documents citing ``n_notes`` notes."""
    rng = random.Random(f"docs-{seed}")
    titles = note_titles(n_notes, seed)
    draw = _popularity_sampler(n_notes, alpha, rng)
    for doc_index in range(n_docs):
        cited = draw(rng.randint(*cites_per_doc))
        yield f"doc-{doc_index:05d}.inquiry.txt", _document(doc_index, titles, cited, seed, rng)


def write_corpus(folder: str | Path, n_docs: int, n_notes: int, seed: int = 0, alpha: float = 1.0) -> list[Path]:
    """Write the corpus into ``folder`` (created) and return the file paths in order."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in iter_documents(n_docs, n_notes, seed, alpha):
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = write_corpus(args.folder, args.docs, args.notes, args.seed)
    print(f"wrote {len(paths)} documents to {args.folder}")


if __name__ == "__main__":
    main()
