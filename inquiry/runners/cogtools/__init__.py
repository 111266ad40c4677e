"""Cognitive-tools miniature: do isolated tool calls driven by code elicit reasoning that a direct answer,
one monolithic context, or best-of-k with the same number of calls does not? See :mod:`.runner`."""
