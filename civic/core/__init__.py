"""Domain-agnostic infrastructure: database base class, clock, htmx helpers, errors."""
