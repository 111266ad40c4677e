"""Think-in-Games miniature: does RL on play with a verbalised rationale turn declarative knowledge of a
game into play on states the model knows about but never practised? See :mod:`.runner`."""
