"""The probe: pass@k of a freshly trained tiny model, a diagnostic of the measuring chain. See :mod:`.runner`."""
