"""civic's analysis library: opinion groups and consensus (Polis' method), topics (BERTopic), segments.

A pure library: numpy, pandas, scipy, scikit-learn and the topic-model packages only; no Flask, SQLAlchemy,
Celery or civic imports (import-linter enforces it). Inputs and outputs are plain dataclasses and arrays, every
random step takes a seed, so the web app, the command line and researchers get the same results.
"""
