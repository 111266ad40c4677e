"""The run's figure: held-out accuracy per arm with 95% intervals, and RLAG's diagnostics over steps."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ..api import Estimate, Series


def save_plot(path: Path, accuracy: dict[str, Estimate], diagnostics: list[Series], title: str) -> Path:
    figure, (bars, curves) = plt.subplots(1, 2, figsize=(11, 4))
    names = list(accuracy)
    values = [accuracy[n].value for n in names]
    errors = [
        [accuracy[n].value - (accuracy[n].low or accuracy[n].value) for n in names],
        [(accuracy[n].high or accuracy[n].value) - accuracy[n].value for n in names],
    ]
    bars.bar(names, values, yerr=errors, capsize=4, color=["#c44e52" if n == "rlag" else "#4c72b0" for n in names])
    bars.set_ylim(0, 1)
    bars.set_ylabel("held-out closed-book accuracy")
    bars.set_title("accuracy per arm (95% CI)")
    for series in diagnostics:
        curves.plot(series.x, series.y, label=series.name)
    curves.set_xlabel("RLAG optimizer step")
    curves.set_title("RLAG diagnostics (mean over seeds)")
    curves.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
