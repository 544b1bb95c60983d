"""The attacks' maths on tiny models with known gradients: budgets, dB, SNR, FGSM and PGD."""
import math

import pytest
import torch

from demos.audio_attack import logic

EXAMPLES = __file__.rsplit("/tests/", 1)[0] + "/assets/examples/audio"


def test_epsilon_and_peak_db_are_inverse():
    audio = torch.tensor([0.5, -0.25, 0.1])
    eps = logic.epsilon(audio, -40)
    assert eps == pytest.approx(0.005)  # 1% of the 0.5 peak
    assert logic.peak_db(torch.tensor([0.0, eps, -eps / 2]), audio) == pytest.approx(-40)
    assert logic.peak_db(torch.zeros(3), audio) == -math.inf


def test_snr_against_a_hand_computed_value():
    audio = torch.tensor([1.0, -1.0, 1.0, -1.0])  # power 4
    delta = torch.tensor([0.1, 0.1, 0.1, 0.1])  # power 0.04
    assert logic.snr_db(audio, delta) == pytest.approx(20.0)
    assert logic.snr_db(audio, torch.zeros(4)) == math.inf


def test_projection_keeps_the_budget_and_the_valid_range():
    audio = torch.tensor([0.99, -0.99, 0.0, 0.5])
    delta = logic.project(audio, torch.tensor([0.5, -0.5, 0.2, -0.003]), eps=0.05)
    assert delta.abs().max() <= 0.05 + 1e-7
    assert (audio + delta).abs().max() <= 1.0
    assert delta.tolist() == pytest.approx([0.01, -0.01, 0.05, -0.003], abs=1e-6)


def linear_loss(weights):
    return lambda audio: (weights * audio).sum()


def test_fgsm_steps_along_the_sign_of_the_gradient_and_raises_the_loss():
    weights = torch.tensor([2.0, -3.0, 0.5, -0.1])
    audio = torch.zeros(4)
    delta = logic.fgsm(linear_loss(weights), audio, eps=0.01)
    assert delta.tolist() == pytest.approx([0.01, -0.01, 0.01, -0.01])
    assert linear_loss(weights)(audio + delta) > linear_loss(weights)(audio)
    targeted = logic.fgsm(linear_loss(weights), audio, eps=0.01, targeted=True)
    assert torch.equal(targeted, -delta)


def test_pgd_never_leaves_the_budget_and_lowers_a_targeted_loss():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    audio = torch.rand(64) * 1.6 - 0.8
    target = torch.tensor([2])

    def loss(x):
        return torch.nn.functional.cross_entropy(net(x)[None], target)

    eps = logic.epsilon(audio, -20)
    steps = list(logic.pgd(loss, audio, eps, 30, targeted=True))
    assert len(steps) == 30 and [s.number for s in steps] == list(range(1, 31))
    for step in steps:
        assert step.delta.abs().max() <= eps + 1e-7 and (audio + step.delta).abs().max() <= 1.0
    assert float(loss(audio + steps[-1].delta)) < steps[0].loss  # the target became more likely


def test_untargeted_pgd_raises_the_loss_more_than_random_noise_of_the_same_size():
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    audio = torch.rand(64) * 1.6 - 0.8
    label = net(audio).argmax()[None]

    def loss(x):
        return torch.nn.functional.cross_entropy(net(x)[None], label)

    eps = logic.epsilon(audio, -26)
    *_, last = logic.pgd(loss, audio, eps, 20)
    noise = logic.random_noise(audio, eps, seed=0)
    assert noise.abs().max() <= eps + 1e-7
    assert float(loss(audio + last.delta)) > float(loss(audio + noise)) > 0


def test_attacks_on_the_bundled_ctc_model_move_its_loss_the_right_way():
    import soundfile as sf

    from demos.audio_attack.ctc import SPEECH_CTC, encode, greedy_decode

    model = SPEECH_CTC.load(torch.device("cpu")).model
    audio = torch.from_numpy(sf.read(f"{EXAMPLES}/open_the_door.wav", dtype="float32")[0])
    with torch.no_grad():
        assert greedy_decode(model(audio[None])[0]) == "open the door"
    eps = logic.epsilon(audio, -30)
    clean = logic.ctc_loss(model, encode("open the door"))
    assert float(clean(audio + logic.fgsm(clean, audio, eps))) > float(clean(audio))  # untargeted: away from it
    target = logic.ctc_loss(model, encode("close the window"))
    *_, last = logic.pgd(target, audio, eps, 10, targeted=True)
    assert float(target(audio + last.delta)) < float(target(audio))  # targeted: toward the phrase
    assert last.delta.abs().max() <= eps + 1e-7


@pytest.mark.parametrize("text, refused", [
    ("open the window", ""), ("Go left!", ""), ("it’s 3 o'clock, ok?", ""),
    ("open 😀", "😀"), ("open\x07the\tdoor", "\x07\t"), ("<mask>", "<>"), ("<|endoftext|>", "<|>"),
    ("[MASK] it", "[]"), ("_go_", "_"), ("開門", "開門"), ("café", "é"), ("a\u00a0b", "\u00a0"),
])
def test_a_target_phrase_is_english_words_a_model_can_write(text, refused):
    assert logic.target_refused(text) == refused


def test_refused_characters_are_shown_visibly():
    assert logic.characters_shown("😀\x07<") == "😀 U+0007 <"
