"""Reproduction specs (table ``repro_specs``): which runner, preset and prediction test a claim."""

from __future__ import annotations

import sqlite3

from ..errors import InquiryError
from ..models import ReproSpec, SpecState
from . import rows
from .base import Connection

_ADD_SPEC = (
    "INSERT INTO repro_specs (claim_id, runner, preset, overrides, predicts, why, state, provenance, part, "
    "part_text) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (claim_id, runner, preset) DO UPDATE SET "
    "overrides = excluded.overrides, predicts = excluded.predicts, why = excluded.why, state = excluded.state, "
    "provenance = excluded.provenance, part = excluded.part, part_text = excluded.part_text "
    "WHERE (repro_specs.provenance LIKE 'rule:%' OR excluded.provenance NOT LIKE 'rule:%') AND "
    "(repro_specs.overrides, repro_specs.predicts, repro_specs.why, repro_specs.state, repro_specs.provenance, "
    "repro_specs.part, repro_specs.part_text) IS NOT (excluded.overrides, excluded.predicts, excluded.why, "
    "excluded.state, excluded.provenance, excluded.part, excluded.part_text)"  # an unchanged spec is not written
)


class SpecConflict(InquiryError):
    """A claim already has a spec for that runner and preset."""


def add_specs(nb: Connection, specs: list[ReproSpec]) -> None:
    """:meth:`Specs.add_spec` for many specs at once (an import), without reading the row ids back."""
    nb.db.conn.executemany(_ADD_SPEC, [rows.spec_values(spec) for spec in specs])


def delete_specs_of(nb: Connection, claim_id: str) -> None:
    """Drop every spec of a claim that is being deleted."""
    nb.db.table("repro_specs").delete_where("claim_id = ?", [claim_id])


class Specs(Connection):
    def specs(self, claim_id: str | None = None, state: SpecState | None = None) -> list[ReproSpec]:
        """Reproduction specs, by part then id (accepted, suggested and rejected ones unless ``state``)."""
        where, args = rows.equals(claim_id=claim_id, state=state and state.value)
        return [
            rows.spec(r) for r in self.db.table("repro_specs").rows_where(where, args, order_by="claim_id, part, id")
        ]

    def get_spec(self, spec_id: int) -> ReproSpec | None:
        found = list(self.db.table("repro_specs").rows_where("id = ?", [spec_id]))
        return rows.spec(found[0]) if found else None

    def add_spec(self, spec: ReproSpec) -> int:
        """Insert a spec, or update the claim's spec for the same runner and preset unless a person made or
        reviewed it (rules never overwrite a person's decision); returns the row id."""
        with self.transaction():
            self.db.execute(_ADD_SPEC, rows.spec_values(spec))
            self.touch(spec.claim_id)
            return self.db.execute(
                "SELECT id FROM repro_specs WHERE claim_id = ? AND runner = ? AND preset = ?",
                [spec.claim_id, spec.runner, spec.preset],
            ).fetchone()[0]

    def update_spec(self, spec: ReproSpec) -> None:
        """Write every field of a stored spec (by its id). Raises :class:`SpecConflict` when the claim already
        has another spec for the new runner and preset."""
        try:
            with self.transaction():
                self.db.execute(
                    "UPDATE repro_specs SET runner = ?, preset = ?, overrides = ?, predicts = ?, why = ?, "
                    "state = ?, provenance = ?, part = ?, part_text = ? WHERE id = ?",
                    [*rows.spec_values(spec)[1:], spec.id],
                )
                self.touch(spec.claim_id)
        except sqlite3.IntegrityError:
            raise SpecConflict(
                f"claim {spec.claim_id} already has a spec for {spec.runner} preset {spec.preset}"
            ) from None

    def remove_rule_specs(self, claim_id: str) -> None:
        """Drop the specs rules made for a claim that no person has reviewed (before suggesting them again)."""
        self.db.table("repro_specs").delete_where("claim_id = ? AND provenance LIKE 'rule:%'", [claim_id])
