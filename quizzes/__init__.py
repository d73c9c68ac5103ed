"""Quizzes: question banks (data files), grading, sessions, spaced review, items generated from a design.

Pure Python (no streamlit). Entry points:
- `quizzes.bank.load_items()` — every bank item by id (`python -m quizzes check` validates the banks).
- `quizzes.engine.Session` — a quiz session: `Session.start(items, Spec(...), now)`, `.answer(...)`, results.
- `quizzes.grading.grade(item, response)` — partial-credit rules in `quizzes.grading.RULES`.
- `quizzes.spaced` — Leitner boxes (1, 3, 7, 14 days) per missed concept.
- `quizzes.generate.items_for_design(design, seed)` — questions about a learner's own design.
"""
