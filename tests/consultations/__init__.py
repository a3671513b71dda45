"""Tests of the consultation planner pages."""
