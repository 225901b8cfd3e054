"""Reusable widgets for the cockpit's panes."""

from __future__ import annotations

from ._table_model import Align, Column, PreparedRows, Row, RowStyle, prepare_rows
from .table import VirtualTable

__all__ = ["Align", "Column", "PreparedRows", "Row", "RowStyle", "VirtualTable", "prepare_rows"]
