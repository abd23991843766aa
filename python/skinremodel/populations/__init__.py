"""Virtual populations and their prediction bands.

- :mod:`.bands`: :class:`~skinremodel.PredictionBands`.
- :mod:`.quantile_sketch`: bounded-memory quantiles of large populations.
- :mod:`.population`: :class:`~skinremodel.Population`.
"""
