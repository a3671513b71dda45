"""Hearing pages: planners (manage), moderators (moderate) and residents (public, votes)."""
