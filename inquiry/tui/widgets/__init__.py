"""The widgets the screens are built from: navigator, reader, links, runs panel, chart."""
