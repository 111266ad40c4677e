"""The RLAG loss exactly as the authors' code computes it (``utils.py::compute_rlag_batch_loss``).

With length-normalised log-probs ``z`` (snippets), ``c`` (chosen option | augmented prompt) and
``r`` (rejected option | naive prompt), and no reference model (SimPO-like)::

    loss = -logsigmoid(βD·z + βA·min(c, ε1) − βA·max(r, ε2) − γ)

with (βD, βA) = (0.5, 0) when chosen == rejected (only the snippet likelihood is left) and
(0.2, 0.5) otherwise. The clips stop the gradient once the chosen option is already likely
(c ≥ ε1) or the rejected one already unlikely (r ≤ ε2).

>>> import torch
>>> terms = rlag_loss(torch.tensor([-1.0]), torch.tensor([-0.1]), torch.tensor([-6.0]), torch.tensor([False]))
>>> round(float(terms.loss), 4)  # -logsigmoid(0.2*-1 + 0.5*-0.2 - 0.5*-5 - 0.8) = -logsigmoid(1.4)
0.2204
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

EPS_CHOSEN = -0.2  # ε1
EPS_REJECTED = -5.0  # ε2
GAMMA = 0.8  # train.sh; the repo's configs/config.yaml says 8
BETAS_SAME = (0.5, 0.0)  # (βD, βA) when the augmented and naive predictions agree
BETAS_DIFFERENT = (0.2, 0.5)


@dataclass
class RLAGTerms:
    """The batch loss and, per item, the three reward terms as the authors log them."""

    loss: torch.Tensor
    information: torch.Tensor  # βD · logp(snippets)
    chosen: torch.Tensor  # βA · min(logp(chosen | augmented), ε1)
    rejected: torch.Tensor  # βA · max(logp(rejected | naive), ε2)


def rlag_loss(
    logp_snippets: torch.Tensor,
    logp_chosen: torch.Tensor,
    logp_rejected: torch.Tensor,
    same: torch.Tensor,
    *,
    gamma: float = GAMMA,
    eps_chosen: float = EPS_CHOSEN,
    eps_rejected: float = EPS_REJECTED,
) -> RLAGTerms:
    """The mean RLAG loss over a batch; ``same[i]`` is True when item i's chosen equals its rejected."""
    same = same.to(logp_snippets.device)
    beta_d = torch.where(same, BETAS_SAME[0], BETAS_DIFFERENT[0]).to(logp_snippets.dtype)
    beta_a = torch.where(same, BETAS_SAME[1], BETAS_DIFFERENT[1]).to(logp_snippets.dtype)
    information = beta_d * logp_snippets
    chosen = beta_a * torch.clamp(logp_chosen, max=eps_chosen)
    rejected = beta_a * torch.clamp(logp_rejected, min=eps_rejected)
    loss = -F.logsigmoid(information + chosen - rejected - gamma).mean()
    return RLAGTerms(loss=loss, information=information, chosen=chosen, rejected=rejected)
