"""The read side: views built from the log, each with its tracking position."""

from projections.log import LogReader, LogRow
from projections.read_model import ReadModel
from projections.registry import ReadModels, municipalities

__all__ = ["LogReader", "LogRow", "ReadModel", "ReadModels", "municipalities"]
