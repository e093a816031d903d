"""Assessing files and batches, and judging the results against CI thresholds."""
