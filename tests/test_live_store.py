"""Live sessions in the store, against SQLite and a real PostgreSQL (started by test_store's fixture; a missing
PostgreSQL fails): join codes, expiry, position, seats, questions, answers, aggregates from the group minimum,
and two 'replicas' (two Database objects on one URL) seeing the same lesson."""
import pytest

from store import learners, live
from store.db import Database
from test_store import db_url, fresh_postgres_url, postgres  # noqa: F401  (fixtures)
from ui import live_questions

T0 = 2_000_000_000.0
OPTS = [{"id": "a", "text": "Retried"}, {"id": "b", "text": "Dead-lettered"}, {"id": "c", "text": "Dropped"}]


@pytest.fixture
def db(db_url):  # noqa: F811
    database = Database(db_url)
    yield database
    database.dispose()


def teacher(db, name="Teacher"):
    return learners.create_with_code(name, db=db)[0].key


def test_join_codes_expiry_and_ending(db):
    t = teacher(db)
    s = live.start(t, "  Week   3 ", "RUNCODE", now=T0, db=db)
    assert s.title == "Week 3" and len(s.code) == 7 and s.code[3] == "-"
    assert live.by_code(s.code.lower().replace("-", ""), now=T0 + 10, db=db).id == s.id   # typed loosely
    with pytest.raises(live.UnknownCode):
        live.by_code("ZZZ-ZZZ", now=T0, db=db)
    with pytest.raises(live.Expired):
        live.join(s.code, "Ada", now=T0 + live.LIFETIME_S + 1, db=db)
    seat, token = live.join(s.code, "Ada", now=T0 + 5, db=db)
    assert live.seat(token, now=T0 + 6, db=db)[0] == seat and live.seat("nope", db=db) is None
    assert [x.id for x in live.owned(t, now=T0 + 1, db=db)] == [s.id]
    live.end(t, s.id, now=T0 + 100, db=db)
    with pytest.raises(live.Expired):
        live.by_code(s.code, now=T0 + 101, db=db)
    assert live.owned(t, now=T0 + 101, db=db) == [] and len(live.owned(t, active_only=False, db=db)) == 1
    with pytest.raises(ValueError):
        live.join(live.start(t, "x", "R", db=db).code, "   ", db=db)


def test_only_the_owner_drives(db):
    t, other = teacher(db), teacher(db, "Other")
    s = live.start(t, "L", "R", db=db)
    for call in (lambda: live.set_position(other, s.id, hop=1, sim_t=0, playing=False, speed=1, db=db),
                 lambda: live.ask(other, s.id, hop=1, stem="q", options=OPTS, answer="a", db=db),
                 lambda: live.owner_session(other, s.id, db=db), lambda: live.results(other, s.id, db=db),
                 lambda: live.end(other, s.id, db=db)):
        with pytest.raises(PermissionError):
            call()


def test_position_sequence_counts_changes_only(db_url):  # noqa: F811
    replica_a, replica_b = Database(db_url), Database(db_url)          # two processes' views of one database
    try:
        t = teacher(replica_a)
        s = live.start(t, "L", "R", db=replica_a)
        assert live.set_position(t, s.id, hop=3, sim_t=1.5, playing=False, speed=2, db=replica_a) == 1
        assert live.set_position(t, s.id, hop=3, sim_t=1.5, playing=False, speed=2, db=replica_a) == 1
        assert live.set_position(t, s.id, hop=3, sim_t=1.5, playing=True, speed=2, db=replica_a) == 2
        snap = live.snapshot(s.id, db=replica_b)
        assert (snap["hop"], snap["sim_t"], snap["playing"], snap["speed"], snap["seq"]) == (3, 1.5, True, 2.0, 2)
    finally:
        replica_a.dispose()
        replica_b.dispose()


def test_the_position_by_join_code_holds_nothing_else(db):
    t, other = teacher(db, "Ms Namesake"), teacher(db, "Other")
    s = live.start(t, "Week 4", "R", now=T0, db=db)
    assert live.set_position_by_code(t, s.code.lower(), hop=4, sim_t=2.5, playing=True, speed=5, now=T0 + 1,
                                     db=db) == 1
    assert live.position(s.code, now=T0 + 2, db=db) == {"hop": 4, "t": 2.5, "playing": True, "speed": 5.0,
                                                        "seq": 1}
    with pytest.raises(PermissionError):
        live.set_position_by_code(other, s.code, hop=9, sim_t=0, playing=False, speed=1, now=T0 + 3, db=db)
    with pytest.raises(live.UnknownCode):
        live.position("ZZZ-ZZZ", db=db)
    with pytest.raises(live.Expired):
        live.position(s.code, now=T0 + live.LIFETIME_S + 1, db=db)
    live.end(t, s.id, now=T0 + 10, db=db)
    with pytest.raises(live.Expired):
        live.position(s.code, now=T0 + 11, db=db)
    with pytest.raises(live.Expired):
        live.set_position_by_code(t, s.code, hop=5, sim_t=0, playing=False, speed=1, now=T0 + 12, db=db)


def test_questions_answers_and_the_group_minimum(db):
    t = teacher(db)
    s = live.start(t, "L", "R", db=db)
    with pytest.raises(ValueError):
        live.ask(t, s.id, hop=1, stem="q", options=OPTS[:1], answer="a", db=db)
    with pytest.raises(ValueError):
        live.ask(t, s.id, hop=1, stem="q", options=OPTS, answer="z", db=db)
    q = live.ask(t, s.id, hop=4, stem="Where does event 3 go?", options=OPTS, answer="b", answer_hop=9, db=db)
    seats = [live.join(s.code, f"S{i}", db=db) for i in range(6)]
    for n, (_seat, token) in enumerate(seats[:4]):
        assert live.answer(token, q, "b" if n else "a", db=db)
    assert not live.answer(seats[0][1], q, "zz", db=db)                 # not an option
    tally = live.tally(t, s.id, q, db=db)
    assert tally["answered"] == 4 and tally["withheld"] and tally["counts"] is None and tally["seats"] == 6
    snap = live.snapshot(s.id, seats[0][0].id, db=db)
    assert snap["question"]["id"] == q and "answer" not in snap["question"] and snap["mine"] == "a"
    assert live.answer(seats[0][1], q, "b", db=db)                       # changed before the reveal: one answer
    assert live.answer(seats[4][1], q, "c", db=db)
    tally = live.tally(t, s.id, q, db=db)
    assert tally["answered"] == 5 and not tally["withheld"] and tally["counts"] == {"a": 0, "b": 4, "c": 1}
    assert tally["right"] == 4
    live.reveal(t, s.id, q, db=db)
    assert not live.answer(seats[5][1], q, "b", db=db)                   # closed once revealed
    snap = live.snapshot(s.id, seats[5][0].id, db=db)
    assert snap["question"]["answer"] == "b" and snap["question"]["answer_hop"] == 9 and snap["mine"] is None
    q2 = live.ask(t, s.id, hop=6, stem="Poll", options=OPTS, answer=None, db=db)
    assert not live.answer(seats[1][1], q, "a", db=db)                   # an older question is closed
    assert live.answer(seats[1][1], q2, "a", db=db)
    other = live.start(t, "Other", "R", db=db)
    assert not live.answer(live.join(other.code, "X", db=db)[1], q2, "a", db=db)   # another session's seat
    res = live.results(t, s.id, db=db)
    assert [r["answered"] for r in res["questions"]] == [5, 1]
    assert res["questions"][1]["withheld"] and res["questions"][0]["counts"]["b"] == 4


def test_run_questions_name_the_next_fate():
    from designer.layout import ensure_positions
    from patterns.catalog import load_catalog
    from ui.playback import run_scenario
    design = ensure_positions(load_catalog()["dead-letter-queue-redrive"].design)
    scenario = dict(design.scenario or {}, seed=1)
    payload = run_scenario(design, scenario, 2000)["payload"]
    assert live_questions.next_for_event(design, payload, 0) is None
    for hop in (1, 12, 40):
        q = live_questions.next_for_event(design, payload, hop)
        event = payload["hops"][hop - 1][7]
        right = next(o["text"] for o in q["options"] if o["id"] == q["answer"])
        assert f"event {event} next" in q["stem"] and 2 <= len(q["options"]) <= 4
        assert len({o["text"] for o in q["options"]}) == len(q["options"])
        if q["answer_hop"]:
            nxt = payload["hops"][q["answer_hop"] - 1]
            assert nxt[7] == event and q["answer_hop"] > hop
            assert right.split()[0] in {"It", "An"} or design.nodes[nxt[3]].title in right
