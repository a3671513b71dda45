"""Load tests: residents answering a survey while planners browse its results (python -m tests.load.survey_load)."""
