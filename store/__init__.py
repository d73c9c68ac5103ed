"""The progress store: learners, saved designs, quiz attempts and answers, spaced reviews, class quizzes.

SQLAlchemy 2 (Core). One setting chooses the database: the environment variable `SPS_DATABASE_URL`
(any SQLAlchemy URL, e.g. `postgresql+psycopg://user:password@localhost:5432/studio`). Without it the
store uses a SQLite file, `$XDG_DATA_HOME/serverless-pattern-studio/studio.sqlite3` (default
`~/.local/share/...`), in WAL mode with `synchronous=FULL`: once a save returns, it survives a killed
server. The schema is migrated on open (`store.migrations`, a versioned `schema_version` table).

Every call takes an optional `db=` (a `store.db.Database`); by default the process-wide one for the URL
above. An `owner`/`learner` is a learner key (`store.learners`): rows are only ever read and written for
that key, so one learner never sees another's designs or answers. In the site, `ui.identity.current_learner()`
returns the signed-in learner (it exists in the store), so `current_learner().key` is the owner to pass.

Saved designs (for the designer canvas):
    from store import designs
    design_id = designs.save(owner, name, yaml_text)     # create, or replace the owner's design of that name
    designs.list(owner)     -> [SavedDesign(id, name, yaml_text, created_at, updated_at)], newest first
    designs.load(owner, design_id) -> SavedDesign         # KeyError if missing or someone else's
    designs.delete(owner, design_id) -> bool

Learners:       store.learners.ensure(key, display_name), create_with_code(name), from_code(code), get(key)
Progress:       store.progress.start_attempt / record_answer / finish_attempt / history / attempt_answers /
                topic_stats / weak_topics / review_states / due_reviews
Class quizzes:  store.classes.create(owner, title, spec) / join(learner, code) / owned / joined / results
Live sessions:  store.live.start / by_code / join / set_position / snapshot / ask / answer / tally / reveal /
                results (the teacher drives, students follow; every replica reads the same rows)
"""
from store import classes, designs, learners, live, progress  # noqa: E402  (so store.designs.save(...) works after `import store`)

__all__ = ["classes", "designs", "learners", "live", "progress"]
