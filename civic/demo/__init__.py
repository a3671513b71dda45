"""The demo municipality (Bydel Bjerke): a seeded parking survey with synthetic responses."""
