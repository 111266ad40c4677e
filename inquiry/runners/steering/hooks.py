"""Forward hooks on a decoder block: add a steering vector, or record the block's output.

Decoder blocks return a plain tensor in transformers 5.x and a tuple ``(hidden, ...)`` in 4.x;
both are handled and the same type is returned. Which positions get the vector (a range
``[start, stop)``) is decided by *absolute* position ids (the ``position_ids`` the model passes to
each block), not by the index inside the current call: with a KV cache each decoding step sees one
token, whose absolute position is still known, so cached and uncached generation are steered
identically.

>>> import torch
>>> class Block(torch.nn.Module):  # a stand-in decoder block returning a plain tensor
...     def forward(self, hidden, position_ids=None):
...         return hidden
>>> block = Block()
>>> with steer(block, torch.ones(2), start=1):
...     out = block(torch.zeros(1, 3, 2), position_ids=torch.arange(3)[None])
>>> out[0].tolist()
[[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]
>>> with steer(block, torch.ones(2), start=1, stop=2):  # the one position 1 only
...     out = block(torch.zeros(1, 3, 2), position_ids=torch.arange(3)[None])
>>> out[0].tolist()
[[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch


def hidden_of(output: Any) -> torch.Tensor:
    """The hidden states in a block's output, whichever convention it uses."""
    return output[0] if isinstance(output, tuple) else output


def replace_hidden(output: Any, hidden: torch.Tensor) -> Any:
    """``output`` with its hidden states swapped for ``hidden``, keeping the tensor/tuple type."""
    return (hidden, *output[1:]) if isinstance(output, tuple) else hidden


def _absolute_positions(kwargs: dict[str, Any], hidden: torch.Tensor) -> torch.Tensor:
    for name in ("position_ids", "cache_position"):
        positions = kwargs.get(name)
        if positions is not None:
            return positions if positions.dim() == 2 else positions[None]
    raise ValueError(
        "the decoder block was called without position_ids or cache_position, so the "
        "absolute positions to steer are unknown; call the model with position_ids"
    )


@contextlib.contextmanager
def steer(block: torch.nn.Module, vector: torch.Tensor, start: int, stop: int | None = None) -> Iterator[None]:
    """Add ``vector`` to ``block``'s output at absolute positions ``start <= p < stop`` while inside.

    ``start`` is the position of the last prompt token (prompts must share a length; see
    :func:`inquiry.runners.steering.generate.generate`, which groups them); ``stop=None`` means no
    end, so every generated token is steered too.
    """

    def hook(module, args, kwargs, output):
        hidden = hidden_of(output)
        positions = _absolute_positions(kwargs, hidden)
        inside = positions >= start if stop is None else (positions >= start) & (positions < stop)
        mask = inside.to(hidden.dtype)[..., None]  # (batch or 1, seq, 1)
        return replace_hidden(output, hidden + mask * vector.to(hidden.dtype))

    handle = block.register_forward_hook(hook, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()


@contextlib.contextmanager
def steer_prompt_end(block: torch.nn.Module, vector: torch.Tensor, *, then_every_token: bool) -> Iterator[None]:
    """Add ``vector`` at the last prompt token of every row (and, with ``then_every_token``, at every generated
    token) of a **left-padded** batch decoded with a KV cache, whatever each prompt's length.

    Left padding puts every prompt's last token in the prefill's last column, so no per-row position is
    needed and prompts of different lengths share one batch (:func:`steer` needs equal lengths). A call is
    the prefill when it holds more than one position, or one position that is position 0 (one-token prompts);
    every other call is a decoding step.

    >>> class Block(torch.nn.Module):
    ...     def forward(self, hidden, position_ids=None):
    ...         return hidden
    >>> block = Block()
    >>> with steer_prompt_end(block, torch.ones(1), then_every_token=False):
    ...     prefill = block(torch.zeros(2, 3, 1), position_ids=torch.tensor([[0, 0, 1], [0, 1, 2]]))
    ...     step = block(torch.zeros(2, 1, 1), position_ids=torch.tensor([[2], [3]]))
    >>> prefill[..., 0].tolist(), step[..., 0].tolist()
    ([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]], [[0.0], [0.0]])
    """

    def hook(module, args, kwargs, output):
        hidden = hidden_of(output)
        positions = _absolute_positions(kwargs, hidden)
        prefill = hidden.shape[1] > 1 or bool((positions == 0).all())
        if not prefill and not then_every_token:
            return output
        added = vector.to(hidden.dtype)
        if prefill:
            hidden = torch.cat([hidden[:, :-1], hidden[:, -1:] + added], dim=1)
        else:
            hidden = hidden + added
        return replace_hidden(output, hidden)

    handle = block.register_forward_hook(hook, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()


@contextlib.contextmanager
def record(block: torch.nn.Module, into: list[torch.Tensor]) -> Iterator[None]:
    """Append ``block``'s output hidden states (detached) to ``into`` on every forward while inside.

    >>> block, seen = torch.nn.Identity(), []
    >>> with record(block, seen):
    ...     _ = block(torch.ones(1, 2))
    >>> [t.tolist() for t in seen]
    [[[1.0, 1.0]]]
    """

    def hook(module, args, output):
        into.append(hidden_of(output).detach())

    handle = block.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()
