"""bf16 weights train through fp32 masters: updates at lr 1e-5 are not rounded away."""

import copy

import torch

from inquiry.runners.rlag.optim import Optimiser


def _model() -> torch.nn.Module:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 8))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)
    return model


def _train(model: torch.nn.Module, step, steps: int = 20) -> None:
    gen = torch.Generator().manual_seed(1)
    dtype = next(model.parameters()).dtype
    for _ in range(steps):
        # bf16-representable inputs in both precisions, so the runs differ only in their weights' storage
        x = torch.randn(32, 64, generator=gen).to(torch.bfloat16).to(dtype)
        target = torch.randn(32, 8, generator=gen).to(torch.bfloat16).to(dtype)
        step(((model(x) - target) ** 2).float().mean())


def _changed(before: torch.nn.Module, after: torch.nn.Module) -> float:
    pairs = [(a, b) for a, b in zip(before.parameters(), after.parameters())]
    changed = sum(int((a != b).sum()) for a, b in pairs)
    return changed / sum(a.numel() for a, _ in pairs)


def test_bf16_weights_learn_at_lr_1e_5_like_fp32_ones():
    lr, steps = 1e-5, 20
    start = _model().to(torch.bfloat16)

    # the failure mode, for comparison: AdamW stepping bf16 weights directly
    plain = copy.deepcopy(start)
    adamw = torch.optim.AdamW(plain.parameters(), lr=lr, eps=1e-7, weight_decay=0.0)

    def plain_step(loss):
        adamw.zero_grad()
        loss.backward()
        adamw.step()

    _train(plain, plain_step, steps)

    mastered = copy.deepcopy(start)
    optimiser = Optimiser(mastered, lr, total_steps=10)  # warm-up of one step, then the full lr
    _train(mastered, optimiser.step, steps)

    reference = copy.deepcopy(start).float()  # the same training in fp32 from the same bf16 start
    fp32 = Optimiser(reference, lr, total_steps=10)
    _train(reference, lambda loss: fp32.step(loss), steps)

    plain_share, mastered_share = _changed(start, plain), _changed(start, mastered)
    assert plain_share < 0.35  # most plain-bf16 updates round away
    assert mastered_share > 0.4 and mastered_share > plain_share + 0.15
    # the bf16 weights are the fp32 run's weights, rounded (inputs are bf16 in one run and fp32 in the
    # other, so gradients differ slightly; nearly every weight still matches)
    same = sum(int((m == r.to(torch.bfloat16)).sum()) for m, r in zip(mastered.parameters(), reference.parameters()))
    assert same / sum(p.numel() for p in mastered.parameters()) > 0.9
    assert all(p.dtype == torch.bfloat16 for p in mastered.parameters())


def test_fp32_weights_are_their_own_masters():
    model = _model()
    optimiser = Optimiser(model, 1e-3, total_steps=5)
    assert not optimiser.low_precision
    assert all(m is p for m, p in zip(optimiser.masters, model.parameters()))
    before = copy.deepcopy(model)
    _train(model, optimiser.step, 3)
    assert _changed(before, model) > 0.9
