"""The quiz, progress and teacher pages in Streamlit's AppTest: they render, a whole quiz can be taken and is
saved, feedback follows the mode, and a teacher sees their class's aggregate results."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizzes.bank import load_items
from quizzes.grading import correct_response

ROOT = Path(__file__).resolve().parent.parent
ITEMS = load_items()


@pytest.fixture(autouse=True)
def database(monkeypatch, tmp_path):
    monkeypatch.setenv("SPS_DATABASE_URL", f"sqlite:///{tmp_path}/site.sqlite3")


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str) -> None:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    matches[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def sign_up(at: AppTest, name: str) -> str:
    at.text_input[0].input(name)
    click(at, "Start")
    return at.session_state["learner_key"]


def answer_current(at: AppTest, right: bool = True) -> str:
    quiz = at.session_state["quiz"]
    iid = quiz["session"].current()
    item = ITEMS.get(iid) or quiz["items"][iid]
    key = f"{quiz['nonce']}-{iid}"
    response = correct_response(item)
    if item.kind == "one":
        choice = response["selected"][0] if right else next(o.id for o in item.options if not o.correct)
        at.radio(key=f"r-{key}").set_value(choice)
    elif item.kind == "many":
        for o in item.options:
            at.checkbox(key=f"c-{key}-{o.id}").set_value(o.correct == right)
    elif item.kind == "order":
        at.multiselect(key=f"o-{key}").set_value(response["order"] if right else response["order"][::-1])
    else:
        at.radio(key=f"l-{key}").set_value(response["label"] if right else
                                          next(o.id for o in item.options if not o.correct))
        at.radio(key=f"w-{key}").set_value(response["reason"] if right else
                                          next(r.id for r in item.reasons if not r.correct))
    click(at, "Submit answer")
    return iid


def start_bank_quiz(at: AppTest, size: int, seed: int, mode: str = "review", topics=()) -> None:
    at.number_input(key="bank-size").set_value(size)
    at.number_input(key="quiz-seed").set_value(seed)
    at.radio(key="bank-mode").set_value(mode)
    if topics:
        at.multiselect(key="bank-topics").set_value(list(topics))
    click(at, "Start quiz")


@pytest.mark.parametrize("path", ["pages/quiz.py", "pages/progress.py", "pages/teacher.py"])
def test_pages_render_signed_out(path):
    at = page(path)
    assert at.title[0].value in ("Quiz", "My progress", "Teacher")


def test_a_whole_quiz_in_quiz_mode_is_scored_saved_and_shown_in_progress():
    at = page("pages/quiz.py")
    sign_up(at, "Ada")
    start_bank_quiz(at, size=4, seed=12, mode="quiz")
    answered = [answer_current(at, right=True)]
    assert not any("**Correct**" in m.value for m in at.markdown)    # quiz mode: no feedback yet
    assert any(m.value == "#### Question 2 of 4" for m in at.markdown)
    answered += [answer_current(at, right=(n != 1)) for n in range(1, 4)]      # the second one wrong
    results = [m for m in at.metric if m.label == "Score"]
    assert results and results[0].value == "3 / 4"
    assert any(b.label.startswith("Retake the 1 missed") for b in at.button)
    texts = " ".join(e.label for e in at.expander)
    assert all(ITEMS[i].stem[:40] in texts for i in answered)
    click(at, "Retake the 1 missed question(s)")
    assert at.session_state["quiz"]["session"].item_ids == [answered[1]]
    at.switch_page("pages/progress.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [df.value for df in at.dataframe]
    history = next(f for f in frames if "quiz" in f.columns and "score" in f.columns)
    assert "3 / 4" in list(history["score"])


def test_review_mode_shows_feedback_after_each_question():
    at = page("pages/quiz.py")
    sign_up(at, "Bea")
    start_bank_quiz(at, size=2, seed=5, mode="review")
    answer_current(at, right=True)
    assert any("**Correct** — 1 point" in m.value for m in at.markdown)
    click(at, "Next question")
    answer_current(at, right=False)
    assert any("**Not right**" in m.value or "**Partly right**" in m.value for m in at.markdown)
    click(at, "See my results")
    assert [m.value for m in at.metric if m.label == "Score"][0].startswith(("1 / 2", "1.5 / 2"))


def test_quiz_without_signing_in_still_works_but_is_not_saved():
    at = page("pages/quiz.py")
    start_bank_quiz(at, size=1, seed=2, mode="quiz")
    assert at.session_state["quiz"]["attempt_id"] is None
    answer_current(at)
    assert [m.value for m in at.metric if m.label == "Score"] == ["1 / 1"]


def test_questions_about_a_catalog_design():
    at = page("pages/quiz.py")
    at.radio(key="quiz-source").set_value("Questions about a design")
    at.run()
    at.selectbox(key="gen-pattern").set_value("choreography")
    at.run()
    click(at, "Make questions about this design")
    quiz = at.session_state["quiz"]
    assert all(i.startswith("gen-") for i in quiz["session"].item_ids) and len(quiz["session"].item_ids) >= 2
    while at.session_state["quiz"]["session"].current() is not None:
        answer_current(at)
        if any(b.label == "Next question" for b in at.button):
            click(at, "Next question")
        elif any(b.label == "See my results" for b in at.button):
            click(at, "See my results")
    n = len(quiz["session"].item_ids)
    assert [m.value for m in at.metric if m.label == "Score"] == [f"{n} / {n}"]


def test_teacher_creates_a_class_quiz_and_sees_aggregate_results():
    teacher = page("pages/teacher.py")
    sign_up(teacher, "Ms T")
    teacher.text_input[0].input("Week 3")
    click(teacher, "Create class quiz")
    created = [s.value for s in teacher.success if "join with the code" in s.value]
    assert created
    code = created[0].split("**")[1]
    pupil = page("pages/quiz.py")
    sign_up(pupil, "Pupil")
    pupil.radio(key="quiz-source").set_value("Class quiz (join code)")
    pupil.run()
    pupil.text_input[0].input(code.lower())
    click(pupil, "Join and start")
    assert pupil.session_state["quiz"]["class_id"] is not None
    click(pupil, "Finish now (unanswered questions score 0)")
    teacher.run()
    assert not teacher.exception
    metrics = {m.label: m.value for m in teacher.metric}
    assert metrics["Joined"] == "1" and metrics["Attempts"] == "1" and metrics["Finished"] == "1"
    per_question = teacher.dataframe[0].value
    assert len(per_question) == 10 and set(per_question["answered"]) == {0}


def test_another_learner_sees_none_of_the_first_learners_progress():
    first = page("pages/quiz.py")
    sign_up(first, "Ada")
    start_bank_quiz(first, size=1, seed=3, mode="quiz")
    answer_current(first)
    second = page("pages/progress.py")
    sign_up(second, "Eve")
    assert any("No quizzes yet" in m.value for m in second.markdown)
    assert any("No answers yet" in m.value for m in second.markdown)


def test_with_an_identity_provider_the_site_offers_its_login_instead_of_names():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "secret",
                          "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}
    at.run()
    at.switch_page("pages/quiz.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.button if b.label == "Log in"] == ["Log in"]
    assert not [t for t in at.text_input if t.label == "Display name"]


# --- a reload (a new session) keeps the learner and the quiz; abandoned attempts are closed -----------------
def fresh_session_of(key: str, path: str = "pages/quiz.py") -> AppTest:
    """What a reload is to the site: a new session, the learner known again (from the cookie, ui.identity)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["learner_key"] = key
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_new_session_resumes_the_open_quiz_where_it_was_left():
    at = page("pages/quiz.py")
    key = sign_up(at, "Ren")
    start_bank_quiz(at, size=3, seed=21, mode="quiz")
    first = answer_current(at)
    attempt = at.session_state["quiz"]["attempt_id"]
    again = fresh_session_of(key)
    quiz = again.session_state["quiz"]
    assert quiz["attempt_id"] == attempt and list(quiz["session"].answers) == [first]
    assert any(m.value == "#### Question 2 of 3" for m in again.markdown)
    assert any("Picked up where you left off: 1 of 3 answered" in c.value for c in again.caption)
    answer_current(again)
    answer_current(again)
    assert [m.value for m in again.metric if m.label == "Score"] == ["3 / 3"]
    from store import progress
    [h] = progress.history(key)
    assert h["finished_at"] is not None and h["answered"] == 3


def test_starting_another_quiz_closes_the_open_one_and_old_ones_are_closed_when_abandoned():
    from datetime import timedelta

    from store import progress
    from ui.quiz_state import now
    at = page("pages/quiz.py")
    key = sign_up(at, "Abe")
    start_bank_quiz(at, size=3, seed=4, mode="quiz")
    answer_current(at, right=True)
    del at.session_state["quiz"]           # this session lets it go (another tab, say) and starts another quiz
    at.session_state["quiz-resume-checked"] = key
    at.run()
    start_bank_quiz(at, size=2, seed=5, mode="quiz")
    old, new = progress.history(key)[::-1]
    assert old["finished_at"] is not None and old["score"] == 1.0 and old["answered"] == 1   # closed as it was
    assert new["finished_at"] is None
    assert progress.close_abandoned(now(), owner=key) == 0                       # fresh: left alone
    assert progress.close_abandoned(now() + timedelta(days=2)) == 1              # a day untouched: closed
    assert all(h["finished_at"] is not None for h in progress.history(key))
    assert progress.open_attempt(key) is None
    assert "quiz" not in fresh_session_of(key).session_state                     # nothing left to resume


def test_a_quiz_about_a_design_cannot_be_rebuilt_so_a_reload_closes_it():
    at = page("pages/quiz.py")
    key = sign_up(at, "Gen")
    at.radio(key="quiz-source").set_value("Questions about a design")
    at.run()
    at.selectbox(key="gen-pattern").set_value("choreography")
    at.run()
    click(at, "Make questions about this design")
    again = fresh_session_of(key)
    assert "quiz" not in again.session_state
    from store import progress
    assert progress.open_attempt(key) is None and progress.history(key)[0]["finished_at"] is not None


def test_the_sign_in_cookie_is_signed_and_a_tampered_or_old_one_is_ignored(tmp_path, monkeypatch):
    import time

    from store import learners
    from ui import identity
    monkeypatch.delenv("SPS_SECRET", raising=False)
    learner, code = learners.create_with_code("Cookie Carla")
    value = identity.make_cookie(learner)
    assert identity.read_cookie(value) == learner
    secret = tmp_path / "site-secret"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text()) == 64
    assert code.replace("-", "") not in value and learner.key.split(":")[1] not in value
    assert "Carla" not in value
    v, lid, issued, tag, sig = value.split(".")
    for bad in (f"{v}.{int(lid) + 1}.{issued}.{tag}.{sig}", f"{v}.{lid}.{int(issued) + 1}.{tag}.{sig}",
                f"{v}.{lid}.{issued}.{'0' * 16}.{sig}", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"),
                value + ".x", "", "v1", "x" * 500, "v1.1.1.1.1"):
        assert identity.read_cookie(bad) is None, bad
    assert identity.read_cookie(value, now=time.time() + identity.MAX_AGE_S + 60) is None     # too old
    monkeypatch.setenv("SPS_SECRET", "another secret, from the environment")
    assert identity.read_cookie(value) is None                                   # another secret: not ours
    assert identity.read_cookie(identity.make_cookie(learner)) == learner


def test_a_ticket_gives_the_cookie_once():
    from store import learners
    from ui import identity
    learner, _ = learners.create_with_code("Tia")
    ticket = identity.issue_ticket(learner)
    value = identity.redeem_ticket(ticket)
    assert identity.read_cookie(value) == learner
    assert identity.redeem_ticket(ticket) is None and identity.redeem_ticket("guess") is None
    assert identity.redeem_ticket(None) is None
    import time
    old = identity.issue_ticket(learner, now=time.time() - identity.TICKET_TTL_S - 1)
    assert identity.redeem_ticket(old) is None                                   # expired
    t1, body, exp, sig = identity.issue_ticket(learner).split(".")
    assert identity.redeem_ticket(f"{t1}.{body}.{int(exp) + 600}.{sig}") is None  # its expiry moved: forged


def test_sign_out_forgets_the_cookie_for_the_rest_of_the_session():
    at = page("pages/quiz.py")
    sign_up(at, "Sue")
    assert at.session_state["cookie-pending"]["action"] == "set"
    click(at, "Sign out")
    assert at.session_state["cookie-pending"]["action"] == "clear"
    assert at.session_state["cookie-ignored"] is True and "learner_key" not in at.session_state


def test_the_walkthrough_question_link_starts_that_one_question():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.query_params["question"] = "fan-out-queue-per-consumer"
    at.switch_page("pages/quiz.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    quiz = at.session_state["quiz"]
    assert quiz["session"].item_ids == ["fan-out-queue-per-consumer"]
    assert any(m.value == "#### Question 1 of 1" for m in at.markdown)
    answer_current(at)
    assert any("**Correct** — 1 point" in m.value for m in at.markdown)


def test_the_home_page_offers_the_walkthrough_to_a_first_visitor():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "First time here? A three-minute walkthrough" for s in at.subheader)
    text = " ".join(m.value for m in at.markdown)
    for step in ("Open the fan-out pattern", "Inject a duplicate and a failure", "Play", "Read where each event",
                 "Answer one question"):
        assert step in text, step


def test_a_quiz_in_progress_folds_the_sign_in_box_so_the_question_is_on_the_first_screen():
    at = page("pages/quiz.py")
    assert [e.proto.expanded for e in at.expander if e.label.startswith("Sign in")] == [True]   # before: open
    start_bank_quiz(at, size=2, seed=2, mode="quiz")
    at.run()
    assert [e.proto.expanded for e in at.expander if e.label.startswith("Sign in")] == [False]  # folded, still there
