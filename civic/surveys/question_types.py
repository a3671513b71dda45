"""Question kinds and the keys of ``Question.settings`` they use (the contract between builder and answering).

- single_choice:   choices (QuestionChoice rows; one may have is_other=True → a text is asked for)
- multiple_choice: choices; settings: min_choices (int, default 0), max_choices (int or None)
- scale:           settings: min (int, default 1), max (int, default 5), min_label / max_label ({lang: text})
- short_text:      settings: max_length (int, default 200)
- long_text:       settings: max_length (int, default 2000)
- number:          settings: min (number or None), max (number or None), integer (bool, default False)
- date:            settings: min_date / max_date (ISO "YYYY-MM-DD" or None)
- ranking:         choices; the resident orders all of them
- map_point:       settings: none required; the map shows the organisation's area (GeoJSON)
"""
