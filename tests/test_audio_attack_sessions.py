"""Issue 21: a class's finished attacks are kept per browser session. 40 students each finish an attack (more
than the shared store of finished attacks holds), then each one's Transfer and Defend find their own."""
import types

import pytest

from core.i18n import UserInputError
from demos.audio_attack import ui

pytestmark = pytest.mark.slow  # 40 real attacks on the bundled CTC (~30 s)

STUDENTS = 40
BUDGETS = range(-30, -20)  # ten budgets × four clips: forty different attacks


def request(session: str):
    return types.SimpleNamespace(session_hash=session, headers={})


def settings(student: int) -> tuple:
    """Student ``student``'s attack: (clip, model, kind, budget, steps, target, all steps)."""
    name = ui.examples()[student // len(BUDGETS)][0]
    return str(ui.EXAMPLES_DIR / name), "speech-ctc", "fgsm", BUDGETS[student % len(BUDGETS)], 1, "", False


def looked_up(student: int, session: str):
    """What Transfer and Defend find for this session: the attack, or the message key they would show."""
    try:
        return ui._finished(*settings(student), session=session, lang="en")[-1]
    except UserInputError as refused:
        return refused.key


def test_forty_sessions_each_find_their_own_finished_attack_after_the_shared_store_is_full():
    assert ui.RESULTS.maxsize < STUDENTS  # the shared store alone would have pushed the first ones out
    verdicts = {}
    for student in range(STUDENTS):
        *_, last = ui.attack(*settings(student), request=request(f"student-{student}"))
        verdicts[student] = last[2]
    fooled = [s for s in range(STUDENTS) if "Fooled" in verdicts[s]]
    assert len(fooled) >= STUDENTS // 2
    first = fooled[0]
    # Gone from the shared store: a student who never attacked with these settings is told to attack first ...
    assert looked_up(first, "a-newcomer") == "audio_attack.attack_first"
    for student in range(STUDENTS):
        found = looked_up(student, f"student-{student}")
        if student in fooled:  # ... while each student finds their own
            assert not isinstance(found, str), f"student {student}: {found}"
        else:  # an attack that did not fool is found too, and said so
            assert found == "audio_attack.attack_missed", f"student {student}: {found}"
    # and the first student's Transfer runs on it, through the page's handler
    answer = ui.transfer(*settings(first), request=request(f"student-{first}"))
    answer = list(answer)[-1] if isinstance(answer, types.GeneratorType) else answer
    text = answer[0] if isinstance(answer, tuple) else answer
    assert "Played to" in str(text) and "first" not in str(text).lower()[:80]


def test_transfer_before_any_attack_in_this_session_is_refused_even_when_another_ran_it():
    """The teacher review: Transfer before Attack judged "the last adversarial clip" while the page's players were
    empty: it used an attack another session (or the warm-up) had run with the same settings. A session finds only
    the attacks it ran; the shared store still spares the second student the computation."""
    *_, first = ui.attack(*settings(0), request=request("the-first"))
    mine = looked_up(0, "the-first")
    assert looked_up(0, "a-second-student") == "audio_attack.attack_first"
    *_, second = ui.attack(*settings(0), request=request("a-second-student"))
    assert second[2] == first[2]  # the same verdict: the shared store's result
    theirs = looked_up(0, "a-second-student")
    assert theirs == mine if isinstance(mine, str) else theirs is mine
