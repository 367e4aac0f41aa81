"""Signals of the assessment app.

``analysis_computed(sender=AnalysisRun, run, years)`` is sent inside the analysis's
transaction, after every figure of ``years`` is stored: a receiver derives its own figures
from them (e.g. the regional index) and returns a dict of counts that is added to the run's."""

from django.dispatch import Signal

analysis_computed = Signal()
