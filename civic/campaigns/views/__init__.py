"""Campaign views: one blueprint per page group (planner pages, audience, messages, public endpoints)."""
