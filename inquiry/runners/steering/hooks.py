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
    raise ValueError("the decoder block was called without position_ids or cache_position, so the "
                     "absolute positions to steer are unknown; call the model with position_ids")


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
