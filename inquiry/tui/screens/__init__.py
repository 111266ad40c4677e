"""The app's screens: the main three-pane screen and the modal ones (launch, search, specs, graph, ...)."""
