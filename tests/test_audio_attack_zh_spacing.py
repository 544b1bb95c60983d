"""The tab's Traditional Chinese text: a space between Chinese characters and Latin letters or digits
("在 Whisper tiny.en 上", not "在Whisper tiny.en上"), as Taiwanese technical writing sets them."""
import re

from core.i18n import catalog
from demos.audio_attack import ui
from demos.audio_attack.model import RECOGNISER

CJK, LATIN = "\u3400-\u9fff\uf900-\ufaff", "A-Za-z0-9"
GLUED = re.compile(f"[{CJK}][{LATIN}]|[{LATIN}][{CJK}]")
PLACEHOLDER = re.compile(r"\{(\w+)(:[^}]*)?\}")
EXCEPTIONS: dict[str, str] = {}  # key -> the reason its glued text is right (none so far)


def glued(text: str) -> list[str]:
    return [text[max(0, m.start() - 6):m.end() + 6] for m in GLUED.finditer(text)]


def test_no_chinese_character_touches_a_latin_letter_or_digit():
    found = {}
    names = [ui.model_name(choice.key, "zh") for choice in RECOGNISER.choices]
    for key, text in catalog()["zh"].items():
        if not key.startswith("audio_attack.") or key in EXCEPTIONS:
            continue
        fields = {name for name, _ in PLACEHOLDER.findall(text)}
        if fields & {"model", "made"}:  # as the page shows it: every model name, through ui.t_named
            shown = [ui.t_named(key, "zh", **{**dict.fromkeys(fields, "7"), "model": model, "made": made})
                     for model in names for made in names]
        else:  # a value put in later is Latin or a number: it needs its spaces in the sentence
            shown = [PLACEHOLDER.sub("x", text)]
        problems = [piece for text in shown for piece in glued(text)]
        if problems:
            found[key] = sorted(set(problems))
    assert not found, found


def test_the_check_finds_glued_text():
    assert glued("在Whisper tiny.en上") == ["在Whisper", "tiny.en上"]
    assert ui.t_named("audio_attack.transfer_target", "zh", model="Whisper tiny.en", made="內建 CTC 模型") == \
        "### 播給 Whisper tiny.en 聽：它也聽到了目標句子。在內建 CTC 模型上做的攻擊成功遷移。"
