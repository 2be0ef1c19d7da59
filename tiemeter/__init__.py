"""tiemeter: audience or influence? Measure both, side by side."""

__version__ = "0.1.0"
