"""The plan optimiser: the best schedule for one patient under clinic constraints.

- :mod:`.constraints`: :class:`~skinremodel.PlanConstraints`, :class:`~skinremodel.Objective`
  and the days a session is allowed on.
- :mod:`.optimum`: :class:`~skinremodel.PlanOptimum`, the optimiser's result.
- :mod:`.optimizer`: :func:`~skinremodel.optimize_plan` and its search.
"""
