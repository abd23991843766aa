"""The model MN-14 as Python sees it: parameters, states and observables, names and units.

- :mod:`.parameters`: the named parameters with units, domains and sources.
- :mod:`.clinical_scales`: the clinical grades and scores, and their ordered-logit likelihood.
- :mod:`.observables`: the 15 states and every observable computed from them.
- :mod:`.variables`: labels, units and meanings of states, observables and batch metrics.
- :mod:`.published`: the published outcome data shipped with the package.
"""
