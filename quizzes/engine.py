"""Quiz sessions: choose items, shuffle with a seed, take answers, score, break down by topic.

Pure Python: time is passed in (`now`), randomness comes from the session's seed, and a session
round-trips through `to_dict`/`from_dict` so the site can keep it in session state or the database.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from quizzes.grading import grade
from quizzes.items import Item

# The one list of modes. feedback: "each" = answer and explanations after every item (review mode);
# "end" = only when the quiz is finished. timed: a time limit is required and late answers score 0.
MODES: dict[str, dict] = {
    "review": {"title": "Review (feedback after each question)", "feedback": "each", "timed": False},
    "quiz": {"title": "Quiz (feedback at the end)", "feedback": "end", "timed": False},
    "exam": {"title": "Timed exam (feedback at the end)", "feedback": "end", "timed": True},
}
MAX_SIZE = 100


class QuizError(ValueError):
    pass


@dataclass(frozen=True)
class Spec:
    """What to ask: filters, size, seed and mode (or an explicit list of item ids, e.g. a retake)."""
    topics: tuple[str, ...] = ()          # any of these (empty: all)
    difficulties: tuple[str, ...] = ()    # any of these (empty: all)
    size: int = 10
    seed: int = 0
    mode: str = "review"
    time_limit_s: int | None = None
    item_ids: tuple[str, ...] = ()        # fixed items (still shuffled by the seed)
    title: str = ""


def select(items: dict[str, Item], spec: Spec) -> list[str]:
    """The item ids of a session, in the order they will be asked (deterministic for a seed)."""
    if spec.mode not in MODES:
        raise QuizError(f"unknown mode {spec.mode!r}")
    if MODES[spec.mode]["timed"] and not (spec.time_limit_s and spec.time_limit_s > 0):
        raise QuizError("a timed exam needs a time limit")
    if not 1 <= spec.size <= MAX_SIZE:
        raise QuizError(f"size must be between 1 and {MAX_SIZE}")
    if spec.item_ids:
        missing = [i for i in spec.item_ids if i not in items]
        if missing:
            raise QuizError(f"unknown items: {', '.join(missing[:5])}")
        pool = list(dict.fromkeys(spec.item_ids))
    else:
        pool = [i.id for i in items.values()
                if (not spec.topics or set(i.topics) & set(spec.topics))
                and (not spec.difficulties or i.difficulty in spec.difficulties)]
    if not pool:
        raise QuizError("no questions match these topics and difficulties")
    rng = random.Random(f"select/{spec.seed}")
    chosen = rng.sample(sorted(pool), min(spec.size, len(pool))) if not spec.item_ids else pool[:spec.size]
    rng.shuffle(chosen)
    return chosen


def option_order(item: Item, seed: int) -> list[str]:
    """The order options are shown in: shuffled per item and seed; true/false and labels stay put.
    An order item is never shown already in its correct order."""
    ids = [o.id for o in item.options]
    if item.type in ("true_false", "classify"):
        return ids
    rng = random.Random(f"options/{seed}/{item.id}")
    rng.shuffle(ids)
    if item.kind == "order" and ids == list(item.answer):
        ids = ids[1:] + ids[:1]
    return ids


def reason_order(item: Item, seed: int) -> list[str]:
    ids = [r.id for r in item.reasons]
    random.Random(f"reasons/{seed}/{item.id}").shuffle(ids)
    return ids


@dataclass
class Answer:
    response: dict
    score: float
    answered_at: datetime
    late: bool = False


@dataclass
class Session:
    spec: Spec
    item_ids: list[str]
    started_at: datetime
    deadline: datetime | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    finished_at: datetime | None = None

    @classmethod
    def start(cls, items: dict[str, Item], spec: Spec, now: datetime) -> "Session":
        ids = select(items, spec)
        deadline = now + timedelta(seconds=spec.time_limit_s) if MODES[spec.mode]["timed"] else None
        return cls(spec=spec, item_ids=ids, started_at=now, deadline=deadline)

    # --- asking ---------------------------------------------------------------------------------------
    @property
    def feedback_each(self) -> bool:
        return MODES[self.spec.mode]["feedback"] == "each"

    def current(self) -> str | None:
        """The first unanswered item, or None when all are answered."""
        return next((i for i in self.item_ids if i not in self.answers), None)

    def progress(self) -> tuple[int, int]:
        return len(self.answers), len(self.item_ids)

    def time_left(self, now: datetime) -> float | None:
        return None if self.deadline is None else max(0.0, (self.deadline - now).total_seconds())

    def answer(self, items: dict[str, Item], item_id: str, response: dict, now: datetime) -> Answer:
        """Grade and record one answer. The first answer to an item stands; late answers score 0."""
        if self.finished_at is not None:
            raise QuizError("this quiz is finished")
        if item_id not in self.item_ids:
            raise QuizError(f"{item_id!r} is not in this quiz")
        if item_id in self.answers:
            raise QuizError(f"{item_id!r} was already answered")
        late = self.deadline is not None and now > self.deadline
        score = 0.0 if late else grade(items[item_id], response).score
        ans = Answer(response=dict(response), score=score, answered_at=now, late=late)
        self.answers[item_id] = ans
        return ans

    def finish(self, now: datetime) -> None:
        if self.finished_at is None:
            self.finished_at = now

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    # --- results --------------------------------------------------------------------------------------
    def score(self) -> float:
        return round(sum(a.score for a in self.answers.values()), 6)

    def by_topic(self, items: dict[str, Item]) -> dict[str, dict]:
        """Per topic: points scored, points possible and item count (unanswered items count as 0)."""
        out: dict[str, dict] = {}
        for iid in self.item_ids:
            got = self.answers[iid].score if iid in self.answers else 0.0
            for topic in items[iid].topics:
                row = out.setdefault(topic, {"score": 0.0, "max": 0, "items": 0})
                row["score"] = round(row["score"] + got, 6)
                row["max"] += 1
                row["items"] += 1
        return dict(sorted(out.items()))

    def missed(self) -> list[str]:
        """Items not answered fully correctly (unanswered and late ones included), in quiz order."""
        return [i for i in self.item_ids if i not in self.answers or self.answers[i].score < 1 - 1e-9]

    def retake_spec(self, seed: int) -> Spec:
        """A new session of just the missed items, reshuffled with a new seed, untimed, with feedback."""
        missed = self.missed()
        if not missed:
            raise QuizError("nothing to retake: every item was answered correctly")
        return Spec(item_ids=tuple(missed), size=len(missed), seed=seed, mode="review",
                    title=f"Retake: {self.spec.title or 'missed questions'}")

    # --- persistence ----------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        spec = asdict(self.spec)
        return {"spec": spec, "item_ids": list(self.item_ids), "started_at": self.started_at.isoformat(),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "answers": {k: {"response": a.response, "score": a.score, "answered_at": a.answered_at.isoformat(),
                                "late": a.late} for k, a in self.answers.items()}}

    @classmethod
    def from_dict(cls, doc: dict) -> "Session":
        spec = Spec(**{k: tuple(v) if isinstance(v, list) else v for k, v in doc["spec"].items()})
        when = datetime.fromisoformat
        return cls(spec=spec, item_ids=list(doc["item_ids"]), started_at=when(doc["started_at"]),
                   deadline=when(doc["deadline"]) if doc.get("deadline") else None,
                   finished_at=when(doc["finished_at"]) if doc.get("finished_at") else None,
                   answers={k: Answer(response=a["response"], score=a["score"], answered_at=when(a["answered_at"]),
                                      late=a["late"]) for k, a in doc.get("answers", {}).items()})
