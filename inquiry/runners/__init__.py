"""Reproduction runners: the contract (:mod:`.api`), discovery (:mod:`.registry`), the shared
tiny-model substrate (:mod:`.substrate`) and the built-in science runners."""
