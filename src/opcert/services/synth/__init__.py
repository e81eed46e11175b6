"""Synthetic national data (``opcert synth``): people, exams, certificates and anomalies."""

from opcert.services.synth.loader import Summary, holders_for, synthesise

__all__ = ["Summary", "holders_for", "synthesise"]
