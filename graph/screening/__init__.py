"""Screening exports against the rules: resolve the input, validate it with the shapes, decide and explain."""

from graph.screening.decision import OUTCOMES, Decision
from graph.screening.request import ScreeningRequest
from graph.screening.screen import Screener

__all__ = ["OUTCOMES", "Decision", "Screener", "ScreeningRequest"]
