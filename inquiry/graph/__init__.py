"""The knowledge graph: navigation queries, evidence roll-up and interchange files.

``build`` mirrors the notebook as a networkx graph, ``queries`` walks it, ``rollup`` turns run
verdicts into claim, note and inquiry statuses, and ``interchange`` writes GraphML, node-link JSON
and DOT for other tools. Adding and reviewing claim relations is :mod:`inquiry.relations`.
"""
