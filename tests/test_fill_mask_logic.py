"""The fill-mask tab's science (demos/fill_mask/logic.py) on a tiny BERT built here (random weights, its own small
vocabulary): masks found and counted, top-k sorted and at most 1, entropy against its closed form, targets scored as
the distribution says, left-to-right fill, attention rows, contextual vectors; and the training pieces (whole-word
masking, packing)."""
import math

import numpy as np
import pytest
import torch

from core.i18n import UserInputError
from demos.fill_mask import logic, ui
from demos.fill_mask.model import SPECIALS, bert, tokenizer

WORDS = ["the", "cat", "sat", "on", "mat", "dog", "he", "she", "is", "a", "doctor", "nurse", "apple", "ate", "phone",
         "new", "bought", "red", ".", "##s", "play", "##ing"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-bert")
    (folder / "vocab.txt").write_text("\n".join([*SPECIALS, *WORDS]) + "\n", encoding="utf-8")
    tok = tokenizer(folder)
    torch.manual_seed(0)
    model = bert({"vocab_size": len(tok), "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                  "intermediate_size": 32, "max_position_embeddings": 32})
    return model, tok


@pytest.mark.parametrize("text, key", [
    ("", "fill_mask.empty"), ("   \n", "fill_mask.empty"), (None, "fill_mask.empty"),
    ("the cat sat on the mat.", "fill_mask.no_mask"),
    ("the cat sat on the <mask>.", "fill_mask.other_mask"),
    ("the [MASK] " * 9, "fill_mask.too_many"),
    ("the [MASK] " + "a" * 2000, "fill_mask.too_long"),
])
def test_bad_texts_get_a_clear_message(text, key):
    with pytest.raises(UserInputError) as info:
        logic.check_text(text)
    assert info.value.key == key
    if key == "fill_mask.other_mask":
        assert "[MASK]" in info.value.message("en") and "<mask>" in info.value.message("en")
        assert "遮罩符號是 [MASK]" in info.value.message("zh")


def test_masks_are_found_and_counted(tiny):
    model, tok = tiny
    text = logic.check_text("the [MASK] sat on the [MASK].")
    ids = tok(text, return_tensors="pt")["input_ids"][0]
    assert logic.mask_positions(ids, tok.mask_token_id) == [2, 6]
    assert len(logic.predict(model, tok, text)) == 2


def test_a_text_longer_than_the_model_reads_is_refused(tiny):
    model, tok = tiny
    with pytest.raises(UserInputError) as info:
        logic.predict(model, tok, "the cat " * 20 + "[MASK]")
    assert info.value.key == "fill_mask.too_many_tokens" and info.value.params["limit"] == 32


def test_top_k_is_sorted_at_most_one_and_never_a_special_token(tiny):
    model, tok = tiny
    for guess in logic.predict(model, tok, "the [MASK] sat on the [MASK].", k=10):
        assert list(guess.probs) == sorted(guess.probs, reverse=True)
        assert 0 < sum(guess.probs) <= 1 + 1e-6 and all(0 <= p <= 1 for p in guess.probs)
        assert not set(guess.tokens) & set(SPECIALS)
        assert 0 < guess.entropy <= math.log2(len(tok) - len(SPECIALS)) + 1e-6


def test_an_output_layer_wider_than_the_vocabulary_never_answers_an_id_without_a_token(tiny):
    _, tok = tiny
    torch.manual_seed(0)
    padded = bert({"vocab_size": len(tok) + 8, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                   "intermediate_size": 32, "max_position_embeddings": 32})  # some models pad it to a round size
    with torch.no_grad():
        padded.cls.predictions.bias[len(tok):] = 50.0  # the padding ids would win every time
    (guess,) = logic.predict(padded, tok, "the [MASK] sat.", k=5)
    assert None not in guess.tokens and all(isinstance(token, str) for token in guess.tokens)
    assert sum(guess.probs) > 0


def test_entropy_in_bits_against_closed_forms():
    assert logic.entropy_bits(torch.full((8,), 1 / 8)) == pytest.approx(3.0)
    assert logic.entropy_bits(torch.tensor([1.0, 0.0, 0.0])) == pytest.approx(0.0)
    assert logic.entropy_bits(torch.tensor([0.5, 0.25, 0.25])) == pytest.approx(1.5)


def test_targets_are_scored_as_the_distribution_says(tiny):
    model, tok = tiny
    text = "[MASK] is a doctor."
    _, _, probs = logic.distributions(model, tok, text)
    he, she, playing = logic.score_targets(model, tok, text, "he, she, playing")
    assert he.prob == pytest.approx(float(probs[0, tok.convert_tokens_to_ids("he")]))
    assert she.prob == pytest.approx(float(probs[0, tok.convert_tokens_to_ids("she")]))
    assert (he.rank < she.rank) == (he.prob > she.prob) and {he.rank, she.rank} <= set(range(1, len(tok) + 1))
    assert playing.pieces == ("play", "##ing")  # split: scored by its first piece, and said so
    with pytest.raises(UserInputError):
        logic.score_targets(model, tok, text, " , ")


def test_left_to_right_fill_changes_the_later_masks(tiny):
    model, tok = tiny
    text = "the [MASK] [MASK] on the mat."
    independent = logic.predict(model, tok, text, k=5)
    filled = logic.fill_left_to_right(model, tok, text)
    assert filled[0].tokens == independent[0].tokens  # the first mask sees the same text
    assert filled[1].probs != pytest.approx(independent[1].probs)  # the second now sees the first filled


def test_attention_rows_sum_to_one(tiny):
    model, tok = tiny
    tokens, every = logic.attentions(model, tok, "the cat sat on the [MASK].")
    matrix = every[1, 1]
    assert tokens[0] == "[CLS]" and "[MASK]" in tokens and matrix.shape == (len(tokens), len(tokens))
    assert torch.allclose(matrix.sum(-1), torch.ones(len(tokens)), atol=1e-5)


def test_two_threads_asking_for_attention_at_once_switch_the_model_to_eager_once(tiny):
    """logic.attentions switches a fused-attention model to eager itself, under its own lock: two callers at once
    (no lock of theirs) both get the attention weights, and the switch happens once."""
    import threading
    import time

    _, tok = tiny
    torch.manual_seed(0)
    model = bert({"vocab_size": len(tok), "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                  "intermediate_size": 32, "max_position_embeddings": 32, "attn_implementation": "sdpa"})
    assert model.config._attn_implementation == "sdpa"
    switches, switch = [], model.set_attn_implementation

    def slow_switch(kind):  # a slow switch: without the lock, the second thread would switch too
        switches.append(kind)
        time.sleep(0.2)
        switch(kind)

    model.set_attn_implementation = slow_switch
    start, results = threading.Barrier(2), []

    def ask():
        start.wait()
        results.append(logic.attentions(model, tok, "the cat sat on the [MASK].")[1][1, 0])

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert switches == ["eager"] and model.config._attn_implementation == "eager"
    assert len(results) == 2 and torch.equal(results[0], results[1])
    assert torch.allclose(results[0].sum(-1), torch.ones(len(results[0])), atol=1e-5)


def test_contextual_vectors_per_layer(tiny):
    model, tok = tiny
    sentences = ["he ate a red apple.", "she bought a new apple phone.", "the dog ate the apple."]
    vectors = logic.word_vectors(model, tok, sentences, "apple")
    assert vectors.shape == (3, 3, 16)  # embeddings + 2 layers, 3 sentences, hidden 16
    encoded = tok(sentences[1], return_tensors="pt")
    where = tok.convert_ids_to_tokens(encoded["input_ids"][0]).index("apple")
    with torch.no_grad():
        hidden = model(**encoded, output_hidden_states=True).hidden_states
    assert all(torch.allclose(vectors[layer, 1], hidden[layer][0, where]) for layer in range(3))
    with pytest.raises(UserInputError):
        logic.word_vectors(model, tok, ["the cat sat."], "apple")


def test_cosine_matrices_against_hand_made_vectors():
    vectors = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]]])  # one layer, three sentences
    similarity = logic.cosine_matrices(vectors)[0]
    assert torch.allclose(similarity, torch.tensor([[1.0, 0.0, 2 ** -0.5], [0.0, 1.0, 2 ** -0.5],
                                                    [2 ** -0.5, 2 ** -0.5, 1.0]]), atol=1e-6)


def test_whole_word_masking_masks_every_piece_of_a_chosen_word(tiny):
    from demos.fill_mask import train

    _, tok = tiny
    ids = tok(["the dog playing on the mat . " * 6], add_special_tokens=False, return_tensors="pt")["input_ids"]
    ids = torch.cat([torch.full((1, 1), tok.cls_token_id), ids], 1).repeat(64, 1)
    continues = train.continuation_table(tok)
    inputs, labels = train.mask_words(ids, continues, tok, torch.Generator().manual_seed(0))
    chosen = labels != -100
    play, ing = tok.convert_tokens_to_ids(["play", "##ing"])
    at_play = (ids == play).nonzero(as_tuple=True)
    assert torch.equal(chosen[at_play], chosen[at_play[0], at_play[1] + 1])  # "play" and "##ing" go together
    assert 0.08 < chosen.float().mean() < 0.25 and not chosen[:, 0].any()  # ~15% of words; never [CLS]
    masked = inputs[chosen] == tok.mask_token_id
    assert 0.7 < masked.float().mean() < 0.9 and torch.equal(labels[chosen], ids[chosen])
    assert torch.equal(inputs[~chosen], ids[~chosen])


def test_packing_fills_rows_with_consecutive_sentences(tiny):
    from demos.fill_mask import train

    _, tok = tiny
    rows = train.pack(["the cat sat on the mat."] * 20, tok, seq=16)
    sentence = tok("the cat sat on the mat.", add_special_tokens=False)["input_ids"]
    stream = (sentence + [tok.sep_token_id]) * 20
    assert rows.shape == (len(stream) // 15, 16) and (rows[:, 0] == tok.cls_token_id).all()
    assert rows[:, 1:].ravel().tolist() == stream[:rows.shape[0] * 15]  # no padding, nothing skipped


# ---- clicking a word to mask it; the contextual-vector sentences and their groups

def test_segments_give_the_text_back_and_a_click_masks_one_word_or_character():
    for text in ("The cat [MASK] on the mat, isn't it?", "床前明月[MASK]，疑是 AI 地上霜。", "", "  x  "):
        assert "".join(logic.segments(text)) == text
    def click(text, index):  # a click on a text no click made: every mask in it stays
        return logic.toggle_segment(text, index, None)[0]

    parts = logic.segments("The cat sat.")
    assert click("The cat sat.", parts.index("cat")) == "The [MASK] sat."
    assert click("床前明月光", 4) == "床前明月[MASK]"  # one character, not the whole line
    for index in (1, 5, 99, -1):  # a space, the full stop, out of range: nothing changes
        assert click("The cat sat.", index) == "The cat sat."
    assert click("a [MASK] b", 2) == "a [MASK] b"


def test_a_click_on_a_mask_a_click_made_brings_its_word_back():
    text, words = "The nurse said that [MASK] was tired.", [None]  # an example's mask: no word under it
    parts = logic.segments(text)
    text, words = logic.toggle_segment(text, parts.index("nurse"), words)
    assert text == "The [MASK] said that [MASK] was tired." and words == ["nurse", None]
    text, words = logic.toggle_segment(text, logic.segments(text).index("tired"), words)
    assert words == ["nurse", None, "tired"]
    text, words = logic.toggle_segment(text, 2, words)  # the first mask, the one that was "nurse"
    assert text == "The nurse said that [MASK] was [MASK]." and words == [None, "tired"]
    masks = [i for i, part in enumerate(logic.segments(text)) if part == "[MASK]"]
    assert logic.toggle_segment(text, masks[0], words) == (text, words)  # typed as [MASK]: nothing to bring back
    text, words = logic.toggle_segment(text, masks[1], words)
    assert text == "The nurse said that [MASK] was tired." and words == [None]
    text, words = logic.toggle_segment("床前明月光", 4, None)  # no memory: a click still masks
    assert (text, words) == ("床前明月[MASK]", ["光"])
    assert logic.toggle_segment(text, 4, words) == ("床前明月光", [])


def test_the_sentence_s_chips_unmask_what_a_click_masked():
    from types import SimpleNamespace

    from demos.fill_mask.ui import clicked

    text, memory = clicked("The cat sat on the [MASK].", None, SimpleNamespace(index=2))
    assert text == "The [MASK] sat on the [MASK]."
    assert clicked(text, memory, SimpleNamespace(index=2))[0] == "The cat sat on the [MASK]."
    edited = "A [MASK] sat on the [MASK]."  # typed over since: the memory is for another text
    assert clicked(edited, memory, SimpleNamespace(index=2))[0] == edited


def test_sentences_split_into_groups_at_blank_lines():
    word, sentences, groups = logic.check_sentences("a bank\nthe bank\n\n\n my bank \nbank x\n", " bank ")
    assert word == "bank" and sentences == ["a bank", "the bank", "my bank", "bank x"] and groups == [0, 0, 1, 1]
    for text, word, key in (("a bank", "bank", "fill_mask.sentences"), ("a\n" * 9, "a", "fill_mask.sentences"),
                            ("a\nb", "", "fill_mask.no_word"), (None, None, "fill_mask.no_word")):
        with pytest.raises(UserInputError) as info:
            logic.check_sentences(text, word)
        assert info.value.key == key


def test_separation_is_within_minus_across_per_layer():
    same = torch.ones(1, 4, 4)  # every sentence alike: no separation
    apart = torch.tensor([[[1.0, 0.8, 0.1, 0.0], [0.8, 1.0, 0.0, 0.1], [0.1, 0.0, 1.0, 0.6], [0.0, 0.1, 0.6, 1.0]]])
    gaps = logic.separation(torch.cat([same, apart]), [0, 0, 1, 1])
    assert gaps[0] == pytest.approx(0.0) and gaps[1] == pytest.approx((0.8 + 0.6) / 2 - 0.05)
    assert logic.separation(apart, [0, 0, 0, 0]) == []  # one group: nothing to compare


def test_a_word_missing_from_a_sentence_is_named(tiny):
    model, tok = tiny
    with pytest.raises(UserInputError) as info:
        logic.word_vectors(model, tok, ["the cat sat", "the dog sat"], "cat")
    assert info.value.key == "fill_mask.word_missing" and "the dog sat" in info.value.message("en")


# ---- the Hub choices' loader, offline: tiny BERT and DistilBERT saved in the Hub cache layout

REVISION = "0123456789abcdef0123456789abcdef01234567"


def save_in_hub_layout(cache, repo_id, model, tok, revision=REVISION):
    repo_dir = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo_dir / "snapshots" / revision
    model.save_pretrained(snapshot)  # safetensors
    tok.save_pretrained(snapshot)
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(revision)


def tiny_distilbert(tok):
    from transformers import DistilBertConfig, DistilBertForMaskedLM

    torch.manual_seed(1)
    return DistilBertForMaskedLM(DistilBertConfig(vocab_size=len(tok), dim=16, n_layers=2, n_heads=2, hidden_dim=32,
                                                  max_position_embeddings=32)).eval()


@pytest.mark.parametrize("kind", ["bert", "distilbert"])
def test_hub_choices_load_a_cached_snapshot_offline_and_every_function_runs(tiny, tmp_path, monkeypatch, kind):
    from core import models
    from demos.fill_mask.model import MASKED_LM

    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    original, tok = tiny
    if kind == "distilbert":
        original = tiny_distilbert(tok)
    save_in_hub_layout(tmp_path, f"tiny-org/tiny-{kind}", original, tok)
    choice = models.HubChoice(f"tiny-{kind}", f"tiny-org/tiny-{kind}", REVISION, MASKED_LM, size_mb=1)
    assert choice.is_cached() and not choice.needs_download()
    bundle = choice.load(torch.device("cpu"))
    model, loaded_tok = bundle.model, bundle.tokenizer
    text = "the [MASK] sat on the [MASK] ."
    assert loaded_tok.tokenize(text) == tok.tokenize(text)
    ids = tok("the cat sat", return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        assert torch.allclose(model(input_ids=ids).logits, original(input_ids=ids).logits, atol=1e-5)
    assert len(logic.predict(model, loaded_tok, text, 3)) == 2
    assert len(logic.fill_left_to_right(model, loaded_tok, text)) == 2
    matrix = logic.attentions(model, loaded_tok, text)[1][1, 1]
    assert torch.allclose(matrix.sum(-1), torch.ones(matrix.shape[0]), atol=1e-5)
    assert logic.word_vectors(model, loaded_tok, ["the cat sat", "a cat ate"], "cat").shape == (3, 2, 16)


def test_on_a_space_the_real_models_download_in_the_background_and_become_the_default(tiny, tmp_path, monkeypatch):
    from core import models
    from demos.fill_mask.model import BERT_BASE_EN, ENGLISH, MASKED_LM, MODELS

    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("SPACE_ID", "teacher/ml-demos")
    monkeypatch.setattr(models, "is_offline", lambda: False)
    model, tok = tiny
    fetched = []

    def download(choice, report=None):  # the Hub, played by the tiny model: saved where snapshot_download puts it
        for share in (0.5, 1.0):
            report(share, f"{choice.repo_id}: {share:.0%}")
        save_in_hub_layout(tmp_path, choice.repo_id, model, tok, choice.revision)
        fetched.append(choice.repo_id)

    monkeypatch.setattr(models.HubChoice, "download", download)
    real = models.HubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM, size_mb=1, on_space=True)
    other = models.HubChoice("tiny-other", "tiny-org/other", REVISION, MASKED_LM, size_mb=1)  # not on_space
    slot = models.slot("fill_mask_test", "space", [real, other, ENGLISH])
    assert slot.best() is ENGLISH
    try:
        thread = models.download_on_space(report=lambda text: None)
        thread.join(timeout=60)
        # the tab's two bert-base models and this one; not DistilBERT (the slow-connection choice), not "other"
        assert sorted(fetched) == ["google-bert/bert-base-chinese", "google-bert/bert-base-uncased",
                                   "tiny-org/tiny-bert"]
        assert models.BACKGROUND["tiny-bert"] == 1.0 and slot.best() is real
        assert MODELS.best() is BERT_BASE_EN  # the tab's default, now that the real model is there
        monkeypatch.delenv("SPACE_ID")
        assert models.download_on_space() is None  # not a Space: nothing starts
    finally:
        models.SLOTS.remove(slot)
        models.reset()  # the progress forgotten, every default (MODELS') decided again, outside this test's cache


# ---- issue 19: words only, the prior-corrected probe, the script, the permutation test

def test_words_only_renormalises_over_whole_words_and_keeps_pieces_inside_a_word(tiny):
    model, tok = tiny
    assert logic.whole_word_masks("the [MASK] sat. play[MASK] 我[MASK]") == [True, False, True]
    _, _, probs = logic.distributions(model, tok, "the [MASK] sat.")
    kept, hidden = logic.words_only(tok, probs[0], whole_word=True)
    pieces, non_words = logic.not_words(tok)
    assert float(kept[pieces | non_words].sum()) == 0 and float(kept.sum()) == pytest.approx(1.0)
    assert hidden == pytest.approx(float(probs[0][pieces | non_words].sum()), abs=1e-6)
    inside, _ = logic.words_only(tok, probs[0], whole_word=False)
    assert float(inside[pieces].sum()) > 0 and float(inside[non_words].sum()) == 0  # "play[MASK]" may be "##ing"
    assert non_words[tok.convert_tokens_to_ids(".")] and not non_words[tok.convert_tokens_to_ids("cat")]


def test_the_prior_masks_the_attribute_and_reads_the_same_position(tiny):
    model, tok = tiny
    ids = tok("[MASK] is a nurse .")["input_ids"]
    masked = logic.attribute_masked(tok, ids, "nurse")
    assert masked.count(tok.mask_token_id) == 2 and len(masked) == len(ids)
    he, she = logic.score_targets(model, tok, "[MASK] is a nurse .", "he, she", 0, "nurse")
    _, _, prior = logic.distributions(model, tok, "[MASK] is a [MASK] .")
    assert he.prior == pytest.approx(float(prior[0][tok.convert_tokens_to_ids("he")]), rel=1e-5)
    assert he.corrected == pytest.approx(math.log(he.prob) - math.log(he.prior))
    with pytest.raises(UserInputError) as info:
        logic.score_targets(model, tok, "[MASK] is a nurse .", "he, she", 0, "doctor")
    assert info.value.key == "fill_mask.attribute_missing"


def test_the_script_of_a_text():
    assert logic.script("the [MASK] sat") == "en" and logic.script("床前明月[MASK]") == "zh"
    assert logic.script("我今天很a興。") == "zh" and logic.script("[MASK] 42 !") is None


# ---- a first choice with little probability is called a guess (the bars are scaled to the first)

def test_the_entropy_says_how_many_words_it_is_as_unsure_as():
    from demos.fill_mask.figures import entropy_text

    uniform = logic.entropy_bits(torch.full((885,), 1 / 885))
    assert "among 885 words" in entropy_text(uniform, "en") and "885 個詞" in entropy_text(uniform, "zh")
    assert "among" not in entropy_text(0.5, "en")  # below 1 bit "a fair pick among 1.4 words" says nothing


def test_a_first_choice_below_the_line_is_called_a_guess_with_its_probability():
    guesses = [logic.Guess(3, ("光", "月"), (0.012, 0.011), 9.8), logic.Guess(7, ("流", "去"), (0.62, 0.1), 2.0)]
    (line,) = ui.unsure_lines(guesses, "zh")
    assert line.startswith("第 1 個遮罩") and "「光」只有 1.2%" in line
    (line,) = ui.unsure_lines(guesses[:1], "en")
    assert line.startswith("[MASK]: the model is guessing") and "1.2%" in line
    assert ui.unsure_lines(guesses[1:], "en") == []


def test_a_full_chinese_training_run_refuses_to_start_without_a_source_its_card_names(tmp_path, monkeypatch, capsys):
    """The card's data line is fixed text naming every Debian source; a machine missing one used to train on the rest
    (fortunes only, with none of them) and write that card anyway."""
    from demos.fill_mask import corpus, train

    present = tmp_path / "present"
    (present / "sub").mkdir(parents=True)
    for name in ("a.zh-tw.html", "sub/b.html", "c.mo", "ab.1.gz", "dict.txt"):
        (present / name).write_text("x")
    sources = {package: (present, pattern) for package, (_, pattern) in corpus.CHINESE_SOURCES.items()}
    monkeypatch.setattr(corpus, "CHINESE_SOURCES", sources)
    assert corpus.missing_chinese_sources() == []
    sources["manpages-zh"] = (tmp_path / "absent", "ab.1.gz")
    sources["python3-jieba"] = (present, "jieba.txt")
    assert corpus.missing_chinese_sources() == ["manpages-zh", "python3-jieba"]

    started = []
    monkeypatch.setattr(train, "train", lambda *args, **kwargs: started.append(kwargs) or {"metrics": {}, "probes": {}})
    with pytest.raises(SystemExit):
        train.main(["--lang", "zh", "--out", str(tmp_path / "model")])
    assert not started and "apt-get install manpages-zh python3-jieba" in capsys.readouterr().err
    train.main(["--lang", "zh", "--quick", "--out", str(tmp_path / "model")])  # a quick run reads fortunes-zh only
    train.main(["--lang", "en", "--out", str(tmp_path / "model")])
    assert len(started) == 2


def test_all_heads_at_once_are_the_heads_one_by_one(tiny):
    model, tok = tiny
    tokens, every = logic.attentions(model, tok, "the cat sat on the [MASK].")
    assert every.shape == (2, 2, len(tokens), len(tokens))
    encoded = tok("the cat sat on the [MASK].", return_tensors="pt")
    with torch.no_grad():
        one_by_one = model(**encoded, output_attentions=True).attentions
    assert all(torch.allclose(every[layer, head], one_by_one[layer][0, head])
               for layer in range(2) for head in range(2))


def _passes(model) -> list:
    """Counts the model's forward passes while the test runs (a hook; removed by the caller)."""
    calls = []
    return calls, model.register_forward_hook(lambda *_: calls.append(1))


def test_sliders_over_the_same_sentences_run_no_new_pass_and_answer_as_a_fresh_run():
    """The layer and head sliders look into one pass per sentence (the memo), and what they show is what a fresh
    run would show: the same note, the same picture."""
    from PIL import Image

    from demos.fill_mask.model import ENGLISH

    model, _ = ui.loaded(ENGLISH.key)
    text = "A sentence written for this test: the [MASK] crossed the road."
    word = "bank"
    sentences = "The bank was closed.\nHe sat on the bank.\n\nThe bank lent money.\nThe river bank flooded."
    calls, hook = _passes(model)
    try:
        ui.attention(text, ENGLISH.key, 1, 1)
        ui.context(sentences, word, ENGLISH.key, 1)
        ui.predict(text, ENGLISH.key, 5, True)
        first = len(calls)
        assert first >= 1 + 4 + 1  # one pass for the attention, one per sentence, one for the guesses
        moved = [ui.attention(text, ENGLISH.key, layer, head) for layer, head in ((2, 1), (1, 2))]
        moved_context = ui.context(sentences, word, ENGLISH.key, 2)
        again = ui.predict(text, ENGLISH.key, 5, True)
        assert len(calls) == first  # the sliders moved, the model did not run again
        assert "cached" in again[3]
        for memo in (ui.ATTENTIONS, ui.SIMILARITIES, ui.GUESSES):
            memo.clear()
        ui.PICTURES._memo.clear()
        fresh = [ui.attention(text, ENGLISH.key, layer, head) for layer, head in ((2, 1), (1, 2))]
        fresh_context = ui.context(sentences, word, ENGLISH.key, 2)
        fresh_guesses = ui.predict(text, ENGLISH.key, 5, True)
        assert len(calls) > first
    finally:
        hook.remove()
    for (picture, note), (fresh_picture, fresh_note) in zip([*moved, moved_context], [*fresh, fresh_context]):
        assert note == fresh_note
        assert np.array_equal(np.asarray(Image.open(picture)), np.asarray(Image.open(fresh_picture)))
    assert again[0] == fresh_guesses[0] and "cached" not in fresh_guesses[3]
    assert moved[0][1] != moved[1][1] or moved[0][0] != moved[1][0]  # another head shows another map


def test_a_long_texts_heads_are_not_kept():
    """The memo keeps short sentences' heads; a text near the length limit (its heads many MB) is worked out
    again when asked again, and the memo stays within its bound."""
    from demos.fill_mask.model import MINILM

    model, tok = ui.loaded(MINILM.key)
    short = "A sentence written for this test: the [MASK] is late."
    long = " ".join(["the cat sat on the mat and the dog ate a red apple."] * 18) + " the [MASK] is late."
    ui.heads_of(MINILM.key, model, tok, short)
    ui.heads_of(MINILM.key, model, tok, long)
    assert (MINILM.key, id(model), short) in ui.ATTENTIONS and (MINILM.key, id(model), long) not in ui.ATTENTIONS
    assert ui.ATTENTIONS.bytes <= ui.ATTENTIONS.max_bytes
