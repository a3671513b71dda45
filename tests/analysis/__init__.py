"""Tests of the pure analysis library: no Flask app, no database, no civic imports."""
