"""AgentFly/Memento miniature: can a frozen model improve over an episode stream through case memory alone,
against a weight-update arm on the same episodes? See :mod:`.runner`."""
