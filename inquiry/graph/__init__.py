"""The knowledge graph: navigation queries, claim relations, evidence roll-up and export.

``build`` mirrors the notebook as a networkx graph, ``queries`` walks it, ``relations`` adds and
reviews claim relations, ``rollup`` turns run verdicts into claim, note and inquiry statuses, and
``export`` writes GraphML, node-link JSON and DOT.
"""
