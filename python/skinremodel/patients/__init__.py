"""Patients: covariates, medical history and the screening before microneedling.

- :mod:`.history`: :class:`~skinremodel.MedicalHistory`.
- :mod:`.patient`: :class:`~skinremodel.Patient`, the covariates of the model.
- :mod:`.screening`: :func:`~skinremodel.screen`, contraindications and cautions.
"""
