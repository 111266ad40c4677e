"""The verdict rule, fixed before the run (issue 8), as a pure function of the measured numbers.

>>> from inquiry.runners.api import Estimate
>>> up, flat = Estimate(value=.3, low=.2, high=.4), Estimate(value=.0, low=-.05, high=.05)
>>> nums = Evidence(tag_gain=up, steer_gain=up, null_p95=.05, scratchpad_gain=up, valid_format_drop=0.0,
...                 nll_increase=0.1, grid_gains=[up, flat])
>>> decide(nums, max_valid_format_drop=.1, max_nll_increase=.5).reason
'ci_excludes_zero_positive'
>>> decide(nums.model_copy(update={"tag_gain": flat}), max_valid_format_drop=.1, max_nll_increase=.5).reason
'precondition_failed:explicit_tag_no_gain'
>>> no_gain = nums.model_copy(update={"steer_gain": flat, "grid_gains": [flat, flat]})
>>> decide(no_gain, max_valid_format_drop=.1, max_nll_increase=.5).verdict.value
'contradicts'
"""

from __future__ import annotations

from pydantic import BaseModel

from ...models import Verdict
from ..api import Estimate, VerdictReport


class Evidence(BaseModel):
    """Test-split numbers; gains are paired differences against alpha = 0 on the untagged prompts."""

    tag_gain: Estimate  # explicit reason tag (positive control) minus alpha = 0, greedy accuracy
    steer_gain: Estimate  # dev-selected (layer, alpha, positions) minus alpha = 0, greedy accuracy
    null_p95: float  # 95th percentile of the same gain for random vectors of equal norm
    scratchpad_gain: Estimate  # scratchpad-format rate, steered minus alpha = 0
    valid_format_drop: float  # valid-format rate, alpha = 0 minus steered
    nll_increase: float  # mean NLL on neutral text, steered minus unsteered (nats/token)
    grid_gains: list[Estimate]  # every (layer, alpha, positions) of the preset grid, on the test split


def decide(e: Evidence, *, max_valid_format_drop: float, max_nll_increase: float,
           scope: str = "miniature") -> VerdictReport:
    def report(verdict: Verdict, reason: str, why: str) -> VerdictReport:
        return VerdictReport(verdict=verdict, reason=reason, explanation=why, scope=scope)

    if e.tag_gain.excludes_zero() <= 0:
        return report(Verdict.INCONCLUSIVE, "precondition_failed:explicit_tag_no_gain",
                      f"The explicit reasoning tag did not beat the untagged prompt significantly (gain "
                      f"{e.tag_gain}), so there is no latent mode worth eliciting to test.")
    if not any(g.excludes_zero() > 0 for g in e.grid_gains):
        return report(Verdict.CONTRADICTS, "no_gain_in_grid",
                      f"The explicit tag helps ({e.tag_gain}) but no (layer, alpha, positions) in the grid raised "
                      f"accuracy with a CI above 0: activation addition did not elicit the mode.")
    failures = []
    if e.steer_gain.excludes_zero() <= 0:
        failures.append(("ci_overlaps_zero", f"the chosen setting's gain {e.steer_gain} has a CI reaching 0"))
    if e.steer_gain.value <= e.null_p95:
        failures.append(("gain_within_null", f"its gain {e.steer_gain.value:.3f} does not exceed the random-vector "
                                             f"null's 95th percentile {e.null_p95:.3f}"))
    if e.scratchpad_gain.excludes_zero() <= 0:
        failures.append(("scratchpad_rate_not_raised", f"the scratchpad rate did not rise ({e.scratchpad_gain})"))
    if e.valid_format_drop > max_valid_format_drop or e.nll_increase > max_nll_increase:
        failures.append(("damage_exceeds_bound",
                         f"damage exceeds the bound (valid-format drop {e.valid_format_drop:.3f} > "
                         f"{max_valid_format_drop} or NLL rise {e.nll_increase:.3f} > {max_nll_increase})"))
    if failures:
        return report(Verdict.INCONCLUSIVE, failures[0][0],
                      "Some grid setting helps, but at the dev-selected one " + "; ".join(w for _, w in failures)
                      + ".")
    return report(Verdict.SUPPORTS, "ci_excludes_zero_positive",
                  f"Steering untagged prompts raised test accuracy by {e.steer_gain} (random-vector null 95th "
                  f"percentile {e.null_p95:.3f}) and the scratchpad rate by {e.scratchpad_gain}, within the damage "
                  f"bound; the explicit tag gains {e.tag_gain}.")
