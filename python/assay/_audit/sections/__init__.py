"""The audit's sections: one module each (quality, drift, performance, fairness, explain, review), each
with a ``run(context)`` that returns a :class:`~assay._audit._context.SectionResult` or raises
:class:`~assay._audit._context.Skip`. A later engine plugs in as one more module here, its
metrics in ``_schema.METRICS`` and its runner in ``_runner._RUNNERS``."""
