"""The plan optimiser: the best schedule for one patient under clinic constraints.

- :mod:`.optimizer`: :func:`~skinremodel.optimize_plan`, :class:`~skinremodel.PlanConstraints`
  and :class:`~skinremodel.Objective`.
- :mod:`.optimum`: :class:`~skinremodel.PlanOptimum`, its result.
"""
