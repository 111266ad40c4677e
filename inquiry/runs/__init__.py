"""Reproduction runs: recorded in the notebook, executed by detached worker processes.

:mod:`.records` reads and writes run rows (``runs``, ``run_events``); :mod:`.launcher` validates,
queues, starts, cancels, reaps and waits for runs; :mod:`.worker` is the process that executes one
run; :mod:`.settings` holds the heartbeat and concurrency knobs. Show runs through
:func:`.launcher.list_runs`, which first marks runs whose worker died as ``interrupted``.
"""
