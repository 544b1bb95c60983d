"""Adversarial noise against speech recognition, as pure functions (models and losses passed in).

* FGSM (Goodfellow et al. 2015): one step, x' = x + ε·sign(∇ₓL). Untargeted: L is the loss of the clean
  transcript, made larger. Targeted: L is the loss of the phrase the attacker wants, made smaller.
* PGD (Madry et al. 2018): many smaller steps of size α, each followed by the projection back into the budget
  |δ| ≤ ε (L∞) and the valid range |x + δ| ≤ 1.
* The budget is in dB relative to the clip's peak: ε = max|x| · 10^(dB/20); −40 dB is 1% of the peak.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

# waveform (T,) -> scalar loss, differentiable; or (loss, what the model heard) when the forward pass tells
Loss = Callable[[torch.Tensor], torch.Tensor | tuple[torch.Tensor, str | None]]


def epsilon(audio: torch.Tensor, db: float) -> float:
    """The L∞ budget for a perturbation ``db`` decibels below the clip's peak."""
    return float(audio.abs().max()) * 10.0 ** (db / 20.0)


def peak_db(delta: torch.Tensor, audio: torch.Tensor) -> float:
    """20·log10(max|δ| / max|x|): how loud the perturbation's peak is next to the clip's (−inf for none)."""
    peak = float(delta.abs().max())
    return float("-inf") if peak == 0 else 20.0 * torch.log10(torch.tensor(peak / float(audio.abs().max()))).item()


def snr_db(audio: torch.Tensor, delta: torch.Tensor) -> float:
    """Signal-to-noise ratio 10·log10(Σx² / Σδ²) in dB (inf for no perturbation)."""
    noise = float((delta.double() ** 2).sum())
    return float("inf") if noise == 0 else 10.0 * torch.log10((audio.double() ** 2).sum() / noise).item()


def project(audio: torch.Tensor, delta: torch.Tensor, eps: float) -> torch.Tensor:
    """δ clipped into the budget |δ| ≤ ε, then so that the adversarial clip stays within [−1, 1]."""
    delta = delta.clamp(-eps, eps)
    return (audio + delta).clamp(-1.0, 1.0) - audio


@dataclass(frozen=True)
class Step:
    number: int
    delta: torch.Tensor
    loss: float  # the loss at the start of this step (before its update)
    heard: str | None = None  # what the model heard at the start of this step, when the loss could tell


def _gradient(loss: Loss, audio: torch.Tensor, delta: torch.Tensor) -> tuple[torch.Tensor, float, str | None]:
    delta = delta.detach().requires_grad_(True)
    value, heard = _split(loss(audio + delta))
    (grad,) = torch.autograd.grad(value, delta)
    return grad, float(value.detach()), heard


def _split(result) -> tuple[torch.Tensor, str | None]:
    """A loss returns its value, or (value, what the model heard): a transcript that came for free."""
    return result if isinstance(result, tuple) else (result, None)


def fgsm(loss: Loss, audio: torch.Tensor, eps: float, *, targeted: bool = False) -> torch.Tensor:
    """One step of size ε along the sign of the gradient (down it when targeted); returns δ."""
    grad, _, _ = _gradient(loss, audio, torch.zeros_like(audio))
    direction = -grad.sign() if targeted else grad.sign()
    return project(audio, eps * direction, eps)


def step_size(eps: float, steps: int, number: int) -> float:
    """PGD's α at step ``number`` of ``steps``: from ε/4 down to about ε/100, linearly. Large first steps find
    the direction, small last ones settle inside the budget. On the example clips at −30 dB (bundled CTC model,
    CTC loss alone) this schedule reached the targeted phrase for 6 of 8 clips where a constant ε/10 reached 4;
    with the best-path term of ``ctc_recogniser`` it reaches 7 of 8 (measure.py)."""
    return eps * (0.25 * (1 - (number - 1) / steps) + 0.01)


def pgd(loss: Loss, audio: torch.Tensor, eps: float, steps: int, *, alpha: float | None = None,
        targeted: bool = False, start: torch.Tensor | None = None,
        done: Callable[[str], bool] | None = None) -> Iterator[Step]:
    """Projected gradient descent (targeted) or ascent (untargeted), yielding δ after every step so a UI can
    stream it. ``alpha``: a constant step size (default: the schedule of ``step_size``). ``done(heard)``: stop
    as soon as the model hears what it should (the last Step then keeps δ, and ``heard`` is what it heard)."""
    delta = torch.zeros_like(audio) if start is None else project(audio, start, eps)
    for number in range(1, steps + 1):
        grad, value, heard = _gradient(loss, audio, delta)
        if done is not None and heard is not None and done(heard):
            yield Step(number - 1, delta.detach(), value, heard)
            return
        direction = -grad.sign() if targeted else grad.sign()
        size = alpha if alpha is not None else step_size(eps, steps, number)
        delta = project(audio, delta + size * direction, eps)
        yield Step(number, delta.detach(), value, heard)


def random_noise(audio: torch.Tensor, eps: float, seed: int = 0) -> torch.Tensor:
    """±ε at random on every sample: the same size as an attack, without its direction."""
    gen = torch.Generator().manual_seed(int(seed))
    signs = torch.randint(0, 2, audio.shape, generator=gen).to(audio.dtype) * 2 - 1
    return project(audio, eps * signs, eps)


def noise_draws(transcribe: Callable[[torch.Tensor], str], audio: torch.Tensor, eps: float, clean: str,
                draws: int = 5) -> list[str]:
    """What the model hears with ``draws`` independent random ±ε noises (seeds 0 … draws−1): the control that
    tells the attack's direction from its size. Compare each with ``clean`` (``same``)."""
    return [transcribe(audio + random_noise(audio, eps, seed)) for seed in range(draws)]


def listening_gain_db(delta: torch.Tensor, most: float = 30.0, headroom: float = 0.9) -> float:
    """The gain (whole dB, at most ``most``) that plays the perturbation alone as loud as it can go without
    clipping: its peak at ≤ ``headroom`` of full scale (0 dB for silence)."""
    import math

    peak = float(delta.abs().max())
    if peak <= 0:
        return 0.0
    return float(min(most, math.floor(20 * math.log10(headroom / peak))))


# ------------------------------------------------------------------ transcripts: compare, diff, error rates

def words(text: str) -> str:
    """A transcript as compared: lower case, no punctuation, single spaces ('Open the door.' = 'open the door')."""
    text = re.sub(r"[^\w' ]+", " ", text.lower().replace("’", "'"))
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------------ what a target phrase may be

TARGET_PUNCTUATION = set(".,?!;:-\"'’‘“”–—…")


def target_refused(text: str) -> str:
    """The characters of a typed target phrase that no recogniser here writes from speech, each once, in the typed
    order ('' when every character is fine). A target is English words: the letters a-z and A-Z, digits, spaces,
    apostrophes and sentence punctuation. The bundled CTC model's alphabet is a-z, the apostrophe and the space
    (its '_' is the CTC blank); Whisper's English normaliser keeps letters, digits and apostrophes and drops
    symbols and anything in brackets. So other scripts, emoji, control characters and the symbols of special
    tokens (<mask>, <|endoftext|>, which Whisper's tokenizer reads as its end-of-text token, [MASK]) are refused:
    the words around them would be attacked without them."""
    def fine(c: str) -> bool:
        return ("a" <= c <= "z") or ("A" <= c <= "Z") or c.isascii() and c.isdigit() or c == " " \
            or c in TARGET_PUNCTUATION
    return "".join(dict.fromkeys(c for c in text if not fine(c)))


def characters_shown(characters: str) -> str:
    """Characters for a message, each visible: control and other invisible ones as U+XXXX, space-separated."""
    import unicodedata

    def one(c: str) -> str:
        return f"U+{ord(c):04X}" if unicodedata.category(c)[0] in "CZ" else c
    return " ".join(one(c) for c in characters)


NUMBERS = {w: str(i) for i, w in enumerate(("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                             "nine"))}


def compared(text: str) -> str:
    """A transcript as two are compared: ``words``, with digits for the number words and digit groups split, so
    'three seven one' = '3-7-1.' (Whisper writes numbers in digits, the bundled model in words)."""
    spaced = re.sub(r"(?<=\d)(?=\d)", " ", words(text.replace("-", " ")))
    return " ".join(NUMBERS.get(word, word) for word in spaced.split())


_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(digits: str) -> str:
    """A digit group as a listener hears it: '42' -> 'forty two', '1905' -> 'one thousand nine hundred five';
    a group with a leading zero or longer than six digits is read digit by digit ('007' -> 'zero zero seven')."""
    if len(digits) > 6 or (len(digits) > 1 and digits[0] == "0"):
        return " ".join(_ONES[int(d)] for d in digits)

    def below_thousand(n: int) -> list[str]:
        out = [_ONES[n // 100], "hundred"] if n >= 100 else []
        n %= 100
        if n >= 20:
            out += [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
        elif n or not out:
            out.append(_ONES[n])
        return out

    n = int(digits)
    thousands, rest = divmod(n, 1000)
    out = (below_thousand(thousands) + ["thousand"] if thousands else []) + (below_thousand(rest) if rest or not
                                                                               thousands else [])
    return " ".join(out)


def spoken(text: str) -> str:
    """A transcript as a listener hears it: ``words``, with every number spelled out ('Room 42.' -> 'room forty
    two', '3-7-1.' -> 'three seven one', '3.5' -> 'three point five', '7:45' -> 'seven forty five'). Error rates
    are counted on this form, so a digit and the words a model writes for it cost the same letters."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(\d)\.(\d+)", lambda m: m.group(1) + " point " + " ".join(m.group(2)), text)
    text = words(text.replace("-", " ").replace(":", " "))
    text = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", text)  # '7th' stays apart from its digits
    return " ".join(number_words(w) if w.isdigit() else w for w in text.split())


def same(a: str, b: str) -> bool:
    """The same transcript, in digit form ('371' = 'three seven one') or as spoken ('42' = 'forty-two')."""
    return compared(a) == compared(b) or spoken(a) == spoken(b)


def error_rates(reference: str, hypothesis: str) -> tuple[float, float] | None:
    """(WER, CER) of ``hypothesis`` against ``reference`` with jiwer, both on the spoken form (numbers spelled
    out on both sides, ``spoken``); 0 for transcripts that are ``same`` (None: no reference)."""
    import jiwer

    reference_spoken, hypothesis_spoken = spoken(reference), spoken(hypothesis)
    if not reference_spoken:
        return None
    if same(reference, hypothesis):
        return 0.0, 0.0
    return jiwer.wer(reference_spoken, hypothesis_spoken), jiwer.cer(reference_spoken, hypothesis_spoken)


def error_rates_digit_form(reference: str, hypothesis: str) -> tuple[float, float] | None:
    """(WER, CER) on the digit form (``compared``): what the tab counted before issue 19 (kept for measure.py's
    before/after figures)."""
    import jiwer

    reference, hypothesis = compared(reference), compared(hypothesis)
    if not reference:
        return None
    return jiwer.wer(reference, hypothesis), jiwer.cer(reference, hypothesis)


def word_diff(reference: str, hypothesis: str) -> list[tuple[str, str]]:
    """[(op, word)] with op '=' kept, '-' only in the reference, '+' only in the hypothesis."""
    import difflib

    old, new = words(reference).split(), words(hypothesis).split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out += [("=", w) for w in old[i1:i2]]
            continue
        out += [("-", w) for w in old[i1:i2]] + [("+", w) for w in new[j1:j2]]
    return out


# ------------------------------------------------------------------ passive defences: transform, then listen again

def low_pass(audio: torch.Tensor, cutoff: float = 4000.0, sample_rate: int = 16_000) -> torch.Tensor:
    import torchaudio.functional as AF

    return AF.lowpass_biquad(AF.lowpass_biquad(audio, sample_rate, cutoff), sample_rate, cutoff).clamp(-1, 1)


def resample_down_up(audio: torch.Tensor, low_rate: int = 8000, sample_rate: int = 16_000) -> torch.Tensor:
    import torchaudio.functional as AF

    return AF.resample(AF.resample(audio, sample_rate, low_rate), low_rate, sample_rate)[: audio.shape[-1]]


def quantise(audio: torch.Tensor, bits: int = 8) -> torch.Tensor:
    levels = 2 ** (bits - 1) - 1
    return torch.round(audio.clamp(-1, 1) * levels) / levels


def mu_law(audio: torch.Tensor, channels: int = 256) -> torch.Tensor:
    """The telephone codec (G.711 μ-law, 8 bits): lossy compression that keeps quiet sounds finer."""
    import torchaudio.functional as AF

    return AF.mu_law_decoding(AF.mu_law_encoding(audio.clamp(-1, 1), channels), channels)


def added_noise(audio: torch.Tensor, db: float = -30.0, seed: int = 1) -> torch.Tensor:
    """Random ±(peak·10^(db/20)) on every sample: noise of a fixed size, in no particular direction."""
    return audio + random_noise(audio, epsilon(audio, db), seed)


def attack_survives(clean: str, defended_clean: str, defended: str, target: str | None) -> bool:
    """Does an attack survive a defence? Targeted: the model still hears the target. Untargeted: the defended
    adversarial clip is heard differently from the clean clip both with the same defence and without it (the
    defence alone changes transcripts: judged against the undefended clean clip only, a defence that made the
    model hear the sentence right would count as the attack surviving)."""
    if target is not None:
        return same(defended, target)
    return not same(defended, defended_clean) and not same(defended, clean)


DEFENCES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "low_pass": low_pass, "resample": resample_down_up, "quantise": quantise, "mu_law": mu_law, "noise": added_noise,
}


# ------------------------------------------------------------------ recognisers: what an attack needs from a model

class Unspellable(ValueError):
    """The model cannot write these characters (its alphabet has no digits, say)."""

    def __init__(self, characters: str):
        super().__init__(characters)
        self.characters = characters


@dataclass(frozen=True)
class Heard:
    text: str
    confidence: float  # geometric mean of the probabilities of the chosen frames or tokens


@dataclass(frozen=True)
class Recogniser:
    """A speech recogniser seen by the attacks: a transcript with its confidence, and a differentiable
    loss of hearing a given text (untargeted attacks raise it for the clean transcript, targeted attacks
    lower it for the target). ``spell`` puts a text in the model's own writing or raises Unspellable."""

    transcribe: Callable[[torch.Tensor], Heard]
    objective: Callable[[str], Loss]
    spell: Callable[[str], str]
    kind: str  # "ctc" or "whisper"
    room: Callable[[torch.Tensor], int] | None = None  # CTC: output frames for a clip (one character each at most)


def ctc_recogniser(forward: Callable[[torch.Tensor], torch.Tensor], vocab: tuple[str, ...], *, blank: int = 0,
                   space: str = " ", upper: bool = False) -> Recogniser:
    """A character CTC model: ``forward(audio (T,)) -> log-probabilities (frames, len(vocab))``; ``space`` is
    its word separator ('|' for wav2vec2), ``upper`` whether its letters are capitals."""
    index = {c: i for i, c in enumerate(vocab)}

    def read(log_probs: torch.Tensor) -> str:
        best = log_probs.argmax(-1).tolist()
        chars = [vocab[i] for n, i in enumerate(best) if i != blank and (n == 0 or i != best[n - 1])]
        return re.sub(r" +", " ", "".join(chars).replace(space, " ")).strip().lower()

    def spell(text: str) -> str:
        text = words(text)
        written = text.replace(" ", space).upper() if upper else text.replace(" ", space)
        missing = list(dict.fromkeys(c for c, w in zip(text, written) if w not in index))  # in the typed order
        if missing:
            raise Unspellable("".join(missing))
        return text

    def transcribe(audio: torch.Tensor) -> Heard:
        with torch.inference_mode():
            log_probs = forward(audio)
        return Heard(read(log_probs), float(log_probs.max(-1).values.mean().exp()))

    def objective(text: str) -> Loss:
        written = spell(text).replace(" ", space)
        targets = torch.tensor([index[c.upper() if upper else c] for c in written], dtype=torch.long)

        def loss(audio: torch.Tensor):
            log_probs = forward(audio)
            frames = log_probs.shape[0]
            value = torch.nn.functional.ctc_loss(log_probs[:, None], targets[None], torch.tensor([frames]),
                                                 torch.tensor([len(targets)]), blank=blank, zero_infinity=True)
            if frames >= ctc_frames_needed(written):  # plus every frame toward the best path that spells the text
                with torch.no_grad():
                    path = ctc_best_path(log_probs.detach().float(), targets.tolist(), blank)
                value = value + torch.nn.functional.nll_loss(log_probs, path)
            return value, read(log_probs.detach())

        return loss

    def room(audio: torch.Tensor) -> int:
        with torch.inference_mode():
            return int(forward(audio).shape[0])

    return Recogniser(transcribe, objective, spell, "ctc", room)


def ctc_best_path(log_probs: torch.Tensor, targets: list[int], blank: int = 0) -> torch.Tensor:
    """The most likely frame-by-frame labelling that spells ``targets`` (CTC forced alignment, Viterbi):
    (frames,) label indices. Pushing every frame toward it (a cross-entropy) is what turns "the target is
    likely" into "greedy decoding writes the target" (Carlini & Wagner 2018 refine their attack the same way)."""
    extended = [blank]
    for label in targets:
        extended += [label, blank]
    scores = log_probs[:, extended]  # (frames, states)
    frames, states = scores.shape
    skip = torch.tensor([s >= 2 and extended[s] != blank and extended[s] != extended[s - 2] for s in range(states)])
    score = torch.full((states,), float("-inf"))
    score[:2] = scores[0, :2]
    back = torch.zeros((frames, states), dtype=torch.long)
    minus_inf = torch.tensor([float("-inf")])
    for t in range(1, frames):
        stay, step = score, torch.cat([minus_inf, score[:-1]])
        jump = torch.where(skip, torch.cat([minus_inf, minus_inf, score[:-2]]), minus_inf)
        best, choice = torch.stack([stay, step, jump]).max(0)
        back[t] = choice
        score = best + scores[t]
    state = states - 1 if states == 1 or score[-1] >= score[-2] else states - 2
    path = [state]
    for t in range(frames - 1, 0, -1):
        state -= int(back[t, state])
        path.append(state)
    return torch.tensor([extended[s] for s in reversed(path)])


def ctc_frames_needed(text: str) -> int:
    """The fewest CTC frames that can spell ``text``: one per character, plus a blank between repeats."""
    return len(text) + sum(a == b for a, b in zip(text, text[1:]))


def ctc_loss(model, targets: torch.Tensor) -> Loss:
    """CTC loss of the character indices ``targets`` given the audio (blank = 0)."""
    def loss(audio: torch.Tensor) -> torch.Tensor:
        log_probs = model(audio[None])[0]  # (frames, classes)
        return torch.nn.functional.ctc_loss(log_probs[:, None], targets[None], torch.tensor([log_probs.shape[0]]),
                                            torch.tensor([len(targets)]), blank=0, zero_infinity=True)

    return loss


# ------------------------------------------------------------------ Whisper (encoder-decoder): teacher-forced loss

WHISPER_PREFIX = (50257, 50362)  # <|startoftranscript|> <|notimestamps|> (English-only models: no language token)
WHISPER_EOT = 50256


def _encode(tokenizer, text: str) -> list[int]:
    encoded = tokenizer.encode(text, add_special_tokens=False)
    return list(getattr(encoded, "ids", encoded))  # a tokenizers Tokenizer, or a transformers tokenizer


def whisper_text(text: str) -> str:
    """A phrase as Whisper writes a sentence: a capital first letter and a full stop ('go left' -> 'Go left.')."""
    text = re.sub(r"\s+", " ", text).strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def whisper_ids(tokenizer, text: str) -> list[int]:
    """The tokens of ``text`` as Whisper writes it (a leading space, as its transcripts have), then end-of-text."""
    text = text if text.startswith(" ") else " " + text
    return _encode(tokenizer, text) + [WHISPER_EOT]


def whisper_loss(model, ids: list[int], tokenizer=None) -> Loss:
    """Cross-entropy of the transcript ``ids`` given the audio (teacher forcing), through the torch log-mel,
    so its gradient reaches the waveform. With ``tokenizer``, the loss also reports the text when greedy
    decoding would write exactly ``ids`` (every teacher-forced argmax is the next token: no extra pass)."""
    from demos.audio_attack.features import log_mel

    decoder = torch.tensor([list(WHISPER_PREFIX) + ids[:-1]])
    labels = torch.tensor(ids)
    skip = len(WHISPER_PREFIX) - 1

    def loss(audio: torch.Tensor):
        logits = model(input_features=log_mel(audio), decoder_input_ids=decoder).logits[0, skip:]
        value = torch.nn.functional.cross_entropy(logits, labels)
        if tokenizer is None:
            return value
        exact = bool((logits.detach().argmax(-1) == labels).all())
        return value, (tokenizer.decode(ids, skip_special_tokens=True).strip() if exact else None)

    return loss


def not_english(text: str) -> str:
    """The characters of ``text`` an English-only Whisper does not write (outside printable ASCII and a few
    typographic quotes and dashes), each once, in the typed order."""
    allowed = set("’‘“”–—…")
    return "".join(dict.fromkeys(c for c in text if not (" " <= c <= "~" or c in allowed)))


@torch.no_grad()
def whisper_heard(model, tokenizer, audio: torch.Tensor, max_tokens: int = 60) -> Heard:
    """Greedy transcript of a clip (≤ 30 s), with the geometric mean probability of its tokens."""
    from demos.audio_attack.features import log_mel

    # max_length=None: beside the default max_length, max_new_tokens logged a warning at every call
    out = model.generate(input_features=log_mel(audio), decoder_input_ids=torch.tensor([list(WHISPER_PREFIX)]),
                         max_new_tokens=max_tokens, max_length=None, output_scores=True, return_dict_in_generate=True)
    tokens = out.sequences[0, len(WHISPER_PREFIX):]
    chosen = [torch.log_softmax(score[0].float(), -1)[token] for score, token in zip(out.scores, tokens)]
    confidence = float(torch.stack(chosen).mean().exp()) if chosen else 0.0
    return Heard(tokenizer.decode(out.sequences[0].tolist(), skip_special_tokens=True).strip(), confidence)


def whisper_recogniser(model, tokenizer) -> Recogniser:
    def spell(text: str) -> str:
        foreign = not_english(text)
        if foreign:  # an English-only model writes other scripts as byte soup ('我他他…�'): refuse them
            raise Unspellable(foreign)
        text = whisper_text(text)
        if not words(text):
            raise Unspellable(text)
        return text

    def objective(text: str) -> Loss:
        return whisper_loss(model, whisper_ids(tokenizer, spell(text)), tokenizer)

    return Recogniser(lambda audio: whisper_heard(model, tokenizer, audio), objective, spell, "whisper")
