"""Reusable widgets for the cockpit's panes."""

from __future__ import annotations

from ._table_model import Align, Column, Row, RowStyle
from .table import VirtualTable

__all__ = ["Align", "Column", "Row", "RowStyle", "VirtualTable"]
