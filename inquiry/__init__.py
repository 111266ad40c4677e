"""inquiry: a terminal notebook for research literature whose claims can launch reproductions."""

__version__ = "0.1.0"
