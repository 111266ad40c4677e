"""The runner contract: what a reproduction runner declares, receives and returns.

A runner is pure science: it gets a validated config and a :class:`RunContext`, trains and
samples, and returns a :class:`Result`. It never touches the notebook database or the UI; the
worker process (:mod:`inquiry.runs`) records what it reports.

>>> class Cfg(RunnerConfig):
...     steps: int = param(10, "optimizer steps", unit="steps", ge=1, le=1000)
>>> Cfg().steps, Cfg.model_json_schema()["properties"]["steps"]["unit"]
(10, 'steps')
"""

from __future__ import annotations

import abc
import math
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from ..models import Verdict


def param(default: Any, description: str, *, unit: str = "", **bounds: Any) -> Any:
    """A config field with the description, unit and bounds the app's form is built from."""
    extra: dict[str, JsonValue] = {"unit": unit} if unit else {}
    return Field(default, description=description, json_schema_extra=extra, **bounds)


class RunnerConfig(BaseModel):
    """Fields every runner has. Subclass it; defaults must be the CPU miniature."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    device: Literal["auto", "cpu", "cuda"] = param("auto", "where tensors live: auto picks CUDA when present, else CPU")
    threads: int = param(
        1,
        "torch intra-op threads (two processes oversubscribing 2 cores ran 3-70x slower)",
        unit="threads",
        ge=1,
        le=256,
    )
    num_gpus: float = param(0.0, "GPUs requested from a cluster backend (Ray)", unit="GPUs", ge=0, le=64)
    memory_gb: float = param(
        0.0, "memory requested from a cluster backend (0 = no reservation)", unit="GiB", ge=0, le=4096
    )


class Estimate(BaseModel):
    """A measured number with its uncertainty (a bootstrap percentile interval unless stated)."""

    value: float
    low: float | None = None
    high: float | None = None
    level: float = 0.95
    n: int | None = None  # items the estimate is over
    n_of: str = ""  # what n counts ("problems", "bootstrap draws", "seeds"); shown beside n
    unit: str = ""
    description: str = ""

    @field_validator("value", "low", "high")
    @classmethod
    def _finite(cls, number: float | None) -> float | None:
        # NaN would be stored as JSON null and poison every later read of the run; refuse it here, so a
        # runner's non-finite estimate ends its run as failed with this reason.
        if number is not None and not math.isfinite(number):
            raise ValueError(f"estimate is not a finite number ({number})")
        return number

    def interval(self) -> tuple[float, float]:
        """``(low, high)``; an estimate a decision or a plot needs an interval of must have one."""
        if self.low is None or self.high is None:
            raise ValueError(f"estimate {self} has no interval")
        return self.low, self.high

    def excludes_zero(self) -> int:
        """+1 if the interval lies above 0, -1 if below, 0 if it covers 0 (or there is none)."""
        if self.low is not None and self.low > 0:
            return 1
        if self.high is not None and self.high < 0:
            return -1
        return 0

    def __str__(self) -> str:
        if self.low is None or self.high is None:
            return f"{self.value:.4g}{self.unit}"
        return f"{self.value:.4g}{self.unit} [{self.low:.4g}, {self.high:.4g}]"


class Series(BaseModel):
    """A curve, e.g. pass@k against k for one model; ``low``/``high`` make a confidence band."""

    name: str
    x: list[float]
    y: list[float]
    low: list[float] | None = None
    high: list[float] | None = None
    x_label: str = ""
    y_label: str = ""
    log_x: bool = False
    chart: str = "main"  # series sharing a chart name are drawn together

    @classmethod
    def band(cls, name: str, x: Sequence[float], estimates: Sequence[Estimate], **fields: Any) -> Series:
        """The curve of ``estimates`` (one per x) with their confidence intervals as its band."""
        return cls(
            name=name,
            x=[float(v) for v in x],
            y=[e.value for e in estimates],
            low=[e.low for e in estimates],
            high=[e.high for e in estimates],
            **fields,
        )


class Table(BaseModel):
    name: str
    columns: list[str]
    rows: list[list[Any]]


class Artifact(BaseModel):
    name: str
    path: str  # relative to the run's artifact folder
    kind: Literal["plot", "samples", "checkpoint", "data", "log"] = "data"
    description: str = ""


# What a verdict on the synthetic substrate can and cannot say; shown wherever a miniature verdict is.
MINIATURE_SCOPE_NOTE = (
    "A miniature verdict is evidence about the mechanism in a controlled model, not about the paper's models."
)


class PreconditionCheck(BaseModel):
    """One registered precondition, as measured in this run. A failed one makes the verdict inconclusive
    with the reason ``precondition_failed:<id>``."""

    id: str  # the precondition's id in the registration file
    passed: bool
    value: float | None = None  # the measured figure the rule compares (e.g. a lower CI bound)
    threshold: float | None = None  # the registered threshold it is compared with
    detail: str = ""  # one sentence: what was measured against what


class VerdictReport(BaseModel):
    """The verdict, why (a machine-readable code plus words), and what it is evidence about."""

    verdict: Verdict
    reason: str  # e.g. "ci_excludes_zero_positive", "precondition_failed:rl_did_not_learn"
    explanation: str
    scope: str = "miniature"  # "miniature" (synthetic substrate) or the checkpoint's name
    # the sha256 prefix of the registration file the verdict was decided under (see Registration)
    registration: str | None = None
    preconditions: list[PreconditionCheck] = Field(default_factory=list)


class FidelityRow(BaseModel):
    aspect: str  # "model", "data", "algorithm", "sampling", "n", "seeds", ...
    paper: str
    miniature: str


class FidelityCard(BaseModel):
    """The paper's setup and the miniature's side by side, and what could make results differ."""

    rows: list[FidelityRow]
    caveats: list[str] = Field(default_factory=list)


class Result(BaseModel):
    metrics: dict[str, Estimate] = Field(default_factory=dict)
    series: list[Series] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)  # per-item counts to recompute every figure
    verdict: VerdictReport
    headline: list[str] = Field(default_factory=list)  # metric keys to show first
    # analyses outside the registered decision rule: reported apart, never used by the verdict
    exploratory: dict[str, Estimate] = Field(default_factory=dict)


class Registration(BaseModel):
    """A runner version's pre-registered protocol, read from ``registration.yaml`` beside the runner.

    The file is the single source of every threshold and of the decision rule: the runner's verdict
    code reads ``thresholds`` from here, never from constants of its own. Changing the file changes
    its hash and must bump ``version`` (the runner's ``version`` class attribute equals it).
    """

    model_config = ConfigDict(extra="forbid")

    runner: str
    version: str
    hypothesis: str  # one sentence: what a `supports` verdict says is true
    method: str  # the primary method, in a few sentences
    arms: dict[str, str] = Field(default_factory=dict)  # arm name -> what it is
    metrics: dict[str, str] = Field(default_factory=dict)  # metric key -> definition
    thresholds: dict[str, float] = Field(default_factory=dict)  # every number the rule uses
    preconditions: dict[str, str] = Field(default_factory=dict)  # id -> the rule, in words
    decision_rule: dict[str, str]  # "supports" / "contradicts" / "inconclusive" -> the rule, in words
    control: str = ""  # the world of the `control` preset, where the hypothesis is false
    exploratory: list[str] = Field(default_factory=list)  # analyses reported apart, never deciding
    # registered settings that are not thresholds (a grid of strengths, an injection mode, a learning-rate grid)
    settings: dict[str, Any] = Field(default_factory=dict)
    sha: str = ""  # filled by the loader: sha256 of the file's bytes, first 12 hex digits

    def threshold(self, name: str) -> float:
        try:
            return self.thresholds[name]
        except KeyError:
            raise KeyError(f"registration {self.runner} v{self.version} has no threshold {name!r}") from None


def load_registration(path: Path) -> Registration:
    """Read and validate a registration file; its hash is over the exact bytes."""
    import hashlib

    import yaml

    raw = Path(path).read_bytes()
    data = yaml.safe_load(raw.decode("utf-8")) or {}
    data["sha"] = hashlib.sha256(raw).hexdigest()[:12]
    return Registration.model_validate(data)


def installed_registration(runner: Runner | type[Runner] | None) -> Registration | None:
    """The installed runner's registration, or None (no runner, no file, or a file that does not load)."""
    if runner is None:
        return None
    try:
        return runner.registration()
    except (OSError, ValueError):
        return None


def registration_facts(verdict: VerdictReport, installed: Registration | None) -> list[tuple[str, str]]:
    """What a reader needs to judge a verdict against its registration, as (label, plain text) pairs.

    The run stores only the registration's hash; the text (hypothesis, thresholds, rule) comes from the
    installed runner's file and is shown only when its hash is the run's, else the mismatch is said. The
    result screen and the markdown export both render these pairs (each with its own escaping).

    >>> reg = Registration(runner="r", version="1", hypothesis="H.", method="M.", thresholds={"margin": 0.05},
    ...                    decision_rule={"supports": "S."}, sha="abc")
    >>> check = PreconditionCheck(id="p", passed=False, value=0.01, threshold=0.05, detail="lower bound 0.01.")
    >>> report = VerdictReport(verdict="inconclusive", reason="precondition_failed:p", explanation="",
    ...                        registration="abc", preconditions=[check])
    >>> [label for label, _ in registration_facts(report, reg)]
    ['Registration', 'Hypothesis', 'Thresholds', 'Rule (supports)', 'Precondition p']
    >>> registration_facts(report, reg)[-1][1]
    'failed: measured 0.01, threshold 0.05. lower bound 0.01.'
    >>> registration_facts(report.model_copy(update={"registration": None}), reg)[0][1]
    'none stored (decided before registrations, or by a runner without one)'
    """
    facts: list[tuple[str, str]] = []
    if not verdict.registration:
        facts.append(("Registration", "none stored (decided before registrations, or by a runner without one)"))
    elif installed is not None and installed.sha == verdict.registration:
        facts += [
            ("Registration", f"{installed.runner} v{installed.version}, sha {installed.sha} (the installed file)"),
            ("Hypothesis", " ".join(installed.hypothesis.split())),
            ("Thresholds", ", ".join(f"{name} = {value:g}" for name, value in installed.thresholds.items()) or "none"),
        ]
        facts += [(f"Rule ({name})", " ".join(rule.split())) for name, rule in installed.decision_rule.items()]
    else:
        now = f"the installed runner's is v{installed.version}, sha {installed.sha}" if installed else "not installed"
        facts.append(("Registration", f"sha {verdict.registration} ({now}: its text is not shown)"))
    for check in verdict.preconditions:
        figures = ", ".join(
            f"{what} {number:.4g}"
            for what, number in (("measured", check.value), ("threshold", check.threshold))
            if number is not None
        )
        facts.append(
            (
                f"Precondition {check.id}",
                ("holds" if check.passed else "failed")
                + (f": {figures}." if figures else ".")
                + (f" {check.detail}" if check.detail else ""),
            )
        )
    return facts


class Cancelled(Exception):
    """Raised inside a runner by :meth:`RunContext.check_cancelled` when the user cancels."""


class RunContext:
    """What a running runner may use: progress, artifacts, device, threads, seeds, cancellation.

    The worker builds one with callbacks into the notebook; tests build one directly:

    >>> import tempfile
    >>> ctx = RunContext(Path(tempfile.mkdtemp()), seed=3)
    >>> ctx.progress(1, 10, "warming up", loss=2.5)
    >>> ctx.events[-1]["metrics"]["loss"]
    2.5
    """

    def __init__(
        self,
        artifact_dir: Path,
        *,
        seed: int = 0,
        device: str = "auto",
        threads: int = 1,
        cache_dir: Path | None = None,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        log: Callable[[str], None] | None = None,
    ):
        self.artifact_dir = Path(artifact_dir)
        self.artifact_dir.mkdir(parents=True, exist_ok=True)
        self.seed = seed
        self.device = resolve_device(device)
        self.threads = threads
        self.cache_dir = Path(cache_dir) if cache_dir else self.artifact_dir / "cache"
        self.events: list[dict[str, Any]] = []
        self._on_progress = on_progress
        self._is_cancelled = is_cancelled or (lambda: False)
        self._log = log or (lambda message: None)
        self.rng = random.Random(seed)

    def progress(self, step: int, total: int, message: str = "", **metrics: float) -> None:
        event = {"step": step, "total": total, "message": message, "metrics": {k: float(v) for k, v in metrics.items()}}
        self.events.append(event)
        if self._on_progress:
            self._on_progress(event)

    def progress_every(self, every: int, total: int, message: str) -> Callable[[int, float], None]:
        """An ``on_step(step, loss)`` callback for a training loop that reports progress every ``every`` steps."""

        def on_step(step: int, loss: float) -> None:
            if step % every == 0:
                self.progress(step, total, message, loss=loss)

        return on_step

    def log(self, message: str) -> None:
        self._log(message)

    def cancelled(self) -> bool:
        return self._is_cancelled()

    def check_cancelled(self) -> None:
        """Call this often (every training step); it raises :class:`Cancelled` when asked to stop."""
        if self._is_cancelled():
            raise Cancelled()

    def torch_generator(self, offset: int = 0):
        """A seeded ``torch.Generator`` on the run's device; ``offset`` gives independent streams.

        A runner names its offsets in one place, an ``IntEnum`` ``Stream`` beside its experiment
        (e.g. :class:`inquiry.runners.rlvr.experiment.Stream`): the numbers are part of its method.
        """
        import torch

        gen = torch.Generator(device=self.device)
        gen.manual_seed(self.seed * 1_000_003 + offset)
        return gen

    def setup_torch(self) -> None:
        """Apply the thread setting and seed every RNG; call once at the start of ``run``."""
        import numpy as np
        import torch

        torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)
        np.random.seed(self.seed % 2**32)
        random.seed(self.seed)


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover - torch is a hard dependency
        return "cpu"


ConfigT = TypeVar("ConfigT", bound=RunnerConfig)


class Runner(abc.ABC, Generic[ConfigT]):
    """Subclass, fill in the class attributes, implement :meth:`run`, register an entry point.

    ``Runner[MyConfig]`` types :meth:`run`'s config (the registry validates it against ``Config`` first).
    """

    name: ClassVar[str]
    title: ClassVar[str]
    version: ClassVar[str] = "1"
    claim: ClassVar[str]  # a paragraph: the claim this runner tests
    source: ClassVar[str]  # "Yue et al. 2025, arXiv 2504.13837"
    arxiv: ClassVar[tuple[str, ...]] = ()
    Config: ClassVar[type[RunnerConfig]]
    # "test" (<= 60 s on 2 cores), "default" (the CPU miniature), "control" (a world where the registered
    # hypothesis is false: must return `contradicts`), "gpu" (from scratch on one GPU), "gpu_checkpoint" (a local
    # checkpoint and dataset on one GPU)
    presets: ClassVar[dict[str, dict[str, Any]]]
    # presets whose verdicts count as evidence about a claim; `test` and `control` never do
    evidence_presets: ClassVar[frozenset[str]] = frozenset({"default", "gpu", "gpu_checkpoint"})
    # a diagnostic of the measuring chain (the probe): its runs never count toward a claim's status
    diagnostic: ClassVar[bool] = False
    # the registration file, relative to the runner's module folder
    registration_file: ClassVar[str] = "registration.yaml"
    # claim wording this runner can test: regexes matched case-insensitively against claim text
    suits: ClassVar[tuple[str, ...]] = ()
    fidelity: ClassVar[FidelityCard]

    @abc.abstractmethod
    def run(self, config: ConfigT, context: RunContext) -> Result:
        """Train, sample and measure for real; return the result with a verdict fixed in advance."""

    @classmethod
    def registration(cls) -> Registration:
        """The registered protocol of this runner version (cached per class)."""
        import inspect

        cached = cls.__dict__.get("_registration_cache")
        if cached is None:
            path = Path(inspect.getfile(cls)).parent / cls.registration_file
            cached = load_registration(path)
            if cached.runner != cls.name or cached.version != cls.version:
                raise ValueError(
                    f"{path}: registers {cached.runner} v{cached.version}, but the runner is {cls.name} v{cls.version}"
                )
            cls._registration_cache = cached  # type: ignore[attr-defined]
        return cached

    def counts_as_evidence(self, preset: str | None) -> bool:
        """Whether a run of this runner under ``preset`` may decide a claim's status."""
        return not self.diagnostic and preset in self.evidence_presets

    def pool(self, results: list[Result]) -> Result:
        """One result from several seeds of the same config (a sweep); override to pool the raw items.

        The default is conservative: a verdict holds only when every seed gives it
        (:func:`pool_conservatively`).
        """
        return pool_conservatively(results)

    def suitability(self, claim_text: str) -> int:
        """How many of this runner's claim patterns the text matches (0 = not suggested)."""
        return sum(bool(re.search(pattern, claim_text, re.IGNORECASE)) for pattern in self.suits)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "version": self.version,
            "claim": self.claim,
            "source": self.source,
            "arxiv": list(self.arxiv),
            "presets": sorted(self.presets),
            "suits": list(self.suits),
            "fidelity": self.fidelity.model_dump(),
        }


def pool_conservatively(results: Sequence[Result]) -> Result:
    """The default pooling: a verdict holds only if every seed gives it; metrics keep the seeds' envelope.

    Each metric present in every result becomes the mean of the seeds' values with the widest
    interval any seed had (a conservative envelope, not a new bootstrap).

    >>> def seed(verdict, value):
    ...     return Result(metrics={"gain": Estimate(value=value, low=value - 0.1, high=value + 0.1)},
    ...                   verdict=VerdictReport(verdict=verdict, reason="r", explanation="e"))
    >>> pooled = pool_conservatively([seed("supports", 0.3), seed("supports", 0.5)])
    >>> pooled.verdict.verdict.value, round(pooled.metrics["gain"].value, 3), round(pooled.metrics["gain"].low, 3)
    ('supports', 0.4, 0.2)
    >>> pool_conservatively([seed("supports", 0.3), seed("inconclusive", 0.0)]).verdict.reason
    'seeds_disagree'
    """
    import numpy as np  # imported when pooling: listing runners stays light

    if not results:
        raise ValueError("nothing to pool")
    verdicts = [r.verdict.verdict for r in results]
    words = ", ".join(v.value for v in verdicts)
    if len(set(verdicts)) == 1:
        verdict, reason = verdicts[0], "all_seeds_agree"
        explanation = f"All {len(results)} seeds say {verdicts[0].value}."
    else:
        verdict, reason = Verdict.INCONCLUSIVE, "seeds_disagree"
        explanation = f"The seeds disagree ({words}); the pooled verdict stays inconclusive."
    shared = [key for key in results[0].metrics if all(key in r.metrics for r in results)]
    metrics = {}
    for key in shared:
        estimates = [r.metrics[key] for r in results]
        lows = [e.low for e in estimates if e.low is not None]
        highs = [e.high for e in estimates if e.high is not None]
        metrics[key] = estimates[0].model_copy(
            update={
                "value": float(np.mean([e.value for e in estimates])),
                "low": min(lows) if len(lows) == len(estimates) else None,
                "high": max(highs) if len(highs) == len(estimates) else None,
                "description": f"mean over {len(results)} seeds, widest seed interval",
            }
        )
    scope = results[0].verdict.scope
    return Result(
        metrics=metrics,
        headline=[k for k in results[0].headline if k in metrics],
        raw={"seeds": len(results), "seed_verdicts": [v.value for v in verdicts]},
        verdict=VerdictReport(verdict=verdict, reason=reason, explanation=explanation, scope=scope),
    )
