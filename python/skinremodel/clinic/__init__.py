"""The clinic layer: plan comparisons, their report and plots, clinic files, the web app.

- :mod:`.clinical_terms`: a comparison in the words, units and rounding clinicians read.
- :mod:`.outcomes`: the milestones and the columns a comparison reports for each plan.
- :mod:`.comparison_plot`: the figure of a comparison.
- :mod:`.report`: the HTML report of a comparison and its Jupyter view.
- :mod:`.uncertainty`: comparisons that carry parameter uncertainty.
- :mod:`.compare`: :func:`~skinremodel.compare` and :class:`~skinremodel.Comparison`.
- :mod:`.clinic_files`: the patient and plans files of the command line.
- :mod:`.demo`: the built-in demonstration.
- :mod:`.app`: ``skinremodel app``, the local web app.
"""
