"""Speech synthesised offline with espeak-ng, for the bundled CTC recogniser (``demos.audio_attack.train``).

A closed vocabulary: short commands built from a small word list, and digit strings. Voices are an
espeak-ng accent (en-gb, en-us, en-gb-scotland, ...) with a voice variant (+f1, +m3, +klatt2, ...), a rate
and a pitch. Some variants and some sentences are kept out of training so the card can report the
recogniser on voices and sentences it never heard.
"""
from __future__ import annotations

import io
import itertools
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torchaudio.functional as AF

from core.seeding import generator

SAMPLE_RATE = 16_000
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "examples" / "audio"

# ---------------------------------------------------------------- the vocabulary

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SINGLE = ("stop", "go", "start", "pause", "yes", "no", "help", "wait")
DIRECTIONS = ("left", "right", "up", "down", "forward", "back")
OBJECTS = ("door", "window", "light", "music", "radio", "fan", "lights", "heater")
ACTIONS = ("open the", "close the", "turn on the", "turn off the", "check the", "lock the")
MOVES = ("go", "move", "turn", "look")


def commands() -> list[str]:
    """Every command of the closed vocabulary (sorted; 8 + 24 + 48 = 80 sentences)."""
    out = list(SINGLE)
    out += [f"{move} {where}" for move, where in itertools.product(MOVES, DIRECTIONS)]
    out += [f"{action} {thing}" for action, thing in itertools.product(ACTIONS, OBJECTS)]
    return sorted(set(out))


# Sentences never heard in training (every word in them is): the test set's commands.
HELD_OUT_COMMANDS = (
    "close the fan", "lock the window", "turn off the radio", "check the heater", "open the lights",
    "move back", "look up", "turn right", "wait",
)
# Digit strings are drawn at random; these are never drawn for training.
HELD_OUT_DIGITS = (
    "four one nine", "two eight", "seven seven zero three", "six five", "nine zero two", "one three three eight",
    "five six", "eight four two", "zero nine", "three one six four",
)


def digit_string(gen: torch.Generator, low: int = 2, high: int = 5) -> str:
    n = int(torch.randint(low, high + 1, (1,), generator=gen))
    return " ".join(DIGITS[int(i)] for i in torch.randint(0, 10, (n,), generator=gen))


def sentences(split: str, count: int, gen: torch.Generator) -> list[str]:
    """``count`` sentences: half commands, half digit strings; 'train' never yields a held-out sentence,
    'test' yields only held-out ones."""
    train_commands = [c for c in commands() if c not in HELD_OUT_COMMANDS]
    pool = list(HELD_OUT_COMMANDS) if split == "test" else train_commands
    out = []
    for i in range(count):
        if i % 2 == 0:
            out.append(pool[int(torch.randint(0, len(pool), (1,), generator=gen))])
        elif split == "test":
            out.append(HELD_OUT_DIGITS[int(torch.randint(0, len(HELD_OUT_DIGITS), (1,), generator=gen))])
        else:
            text = digit_string(gen)
            while text in HELD_OUT_DIGITS:
                text = digit_string(gen)
            out.append(text)
    return out


# ---------------------------------------------------------------- voices

ACCENTS = ("en", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029")
TRAIN_VARIANTS = (
    "f1", "f2", "f3", "f5", "m1", "m2", "m3", "m4", "m5", "m7", "m8", "klatt", "klatt2", "klatt4", "klatt5",
    "adam", "Andy", "anika", "aunty", "belinda", "benjamin", "ed", "edward", "john", "max", "michael", "paul",
    "quincy", "rob", "victor", "zac",
)
TEST_VARIANTS = ("f4", "m6", "klatt3", "klatt6", "david", "linda", "travis", "steph", "Annie", "robert", "Alicia",
                 "shelby")


@dataclass(frozen=True)
class Voice:
    accent: str
    variant: str
    rate: int  # words per minute
    pitch: int  # 0-99

    @property
    def name(self) -> str:
        return f"{self.accent}+{self.variant}" if self.variant else self.accent


def random_voice(split: str, gen: torch.Generator) -> Voice:
    variants = TEST_VARIANTS if split == "test" else TRAIN_VARIANTS
    pick = lambda seq: seq[int(torch.randint(0, len(seq), (1,), generator=gen))]  # noqa: E731
    return Voice(pick(ACCENTS), pick(variants), int(torch.randint(120, 201, (1,), generator=gen)),
                 int(torch.randint(20, 81, (1,), generator=gen)))


# ---------------------------------------------------------------- synthesis

def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_command(text: str, voice: Voice) -> list[str]:
    return ["espeak-ng", "-v", voice.name, "-s", str(voice.rate), "-p", str(voice.pitch), "--stdout", text]


def read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV bytes -> (mono float32 in [-1, 1], rate). espeak-ng's --stdout header has unset sizes."""
    with wave.open(io.BytesIO(data)) as handle:
        rate, channels, width = handle.getframerate(), handle.getnchannels(), handle.getsampwidth()
        frames = data[44:] if handle.getnframes() in (0, 0x7FFFFFFF) else handle.readframes(handle.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit PCM, got {8 * width}-bit")
    samples = np.frombuffer(frames[: len(frames) // (2 * channels) * 2 * channels], dtype="<i2")
    samples = samples.reshape(-1, channels).mean(axis=1)
    return (samples / 32768.0).astype(np.float32), rate


def to_16k(audio: np.ndarray | torch.Tensor, rate: int) -> torch.Tensor:
    audio = torch.as_tensor(audio, dtype=torch.float32)
    return audio if rate == SAMPLE_RATE else AF.resample(audio, rate, SAMPLE_RATE)


def synthesise(text: str, voice: Voice) -> torch.Tensor:
    """espeak-ng -> mono float32 at 16 kHz, leading/trailing silence trimmed to 0.1 s."""
    data = subprocess.run(espeak_command(text, voice), capture_output=True, check=True, timeout=30).stdout
    audio, rate = read_wav_bytes(data)
    return trim(to_16k(audio, rate))


def trim(audio: torch.Tensor, threshold: float = 0.01, keep: float = 0.1) -> torch.Tensor:
    loud = (audio.abs() > threshold * audio.abs().max().clamp_min(1e-8)).nonzero()
    if len(loud) == 0:
        return audio
    pad = int(keep * SAMPLE_RATE)
    return audio[max(0, int(loud[0]) - pad): int(loud[-1]) + pad]


def augment(audio: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Light augmentation: random peak level (0.1-0.95), a random silence (0-0.2 s) at each end, and for 70%
    of clips white noise at 20-60 dB SNR (the rest stay clean, like the shipped clips)."""
    peak = 0.1 + 0.85 * float(torch.rand((), generator=gen))
    audio = audio / audio.abs().max().clamp_min(1e-8) * peak
    before, after = (int(i) for i in torch.randint(0, SAMPLE_RATE // 5, (2,), generator=gen))
    audio = torch.cat([torch.zeros(before), audio, torch.zeros(after)])
    if float(torch.rand((), generator=gen)) < 0.7:
        snr_db = 20 + 40 * float(torch.rand((), generator=gen))
        sigma = (audio.pow(2).mean() / 10 ** (snr_db / 10)).sqrt()
        audio = audio + torch.randn(audio.shape, generator=gen) * sigma
    return audio.clamp(-1, 1)


def make_split(split: str, count: int, seed: int, workers: int = 4) -> list[tuple[str, str, torch.Tensor]]:
    """``count`` (text, voice name, clean 16 kHz audio) items of a split ('train', 'val' or 'test')."""
    from concurrent.futures import ThreadPoolExecutor

    gen = generator(seed)
    texts = sentences(split, count, gen)
    voices = [random_voice(split, gen) for _ in texts]
    with ThreadPoolExecutor(workers) as pool:
        audios = list(pool.map(synthesise, texts, voices))
    return [(text, voice.name, audio) for text, voice, audio in zip(texts, voices, audios)]


# ---------------------------------------------------------------- the shipped example clips

# file -> (text, espeak-ng voice, rate, pitch). Sentences from the vocabulary, voices held out of training.
EXAMPLES = {
    "open_the_door.wav": ("open the door", Voice("en-us", "f4", 150, 55)),
    "turn_on_the_light.wav": ("turn on the light", Voice("en", "m6", 150, 40)),
    "three_seven_one.wav": ("three seven one", Voice("en-gb-x-rp", "klatt3", 140, 50)),
    "close_the_window.wav": ("close the window", Voice("en-us", "david", 150, 45)),
    "go_left.wav": ("go left", Voice("en-us", "linda", 140, 60)),
    # held-out sentences too (HELD_OUT_COMMANDS): never heard in training, by voice or by sentence
    "turn_off_the_radio.wav": ("turn off the radio", Voice("en-gb-x-gbclan", "klatt6", 150, 45)),
    "look_up.wav": ("look up", Voice("en-gb-x-rp", "robert", 140, 45)),
    "move_back.wav": ("move back", Voice("en-us", "travis", 140, 45)),
}


def load_wav(path: Path) -> torch.Tensor:
    audio, rate = read_wav_bytes(Path(path).read_bytes())
    return to_16k(audio, rate)


def load_examples() -> list[tuple[str, str, torch.Tensor]]:
    """The shipped clips as (text, voice name, 16 kHz audio): the smoke run's data when espeak-ng is absent."""
    return [(text, voice.name, load_wav(EXAMPLES_DIR / name)) for name, (text, voice) in EXAMPLES.items()]


def write_wav(path: Path, audio: torch.Tensor) -> None:
    """Mono 16 kHz 16-bit PCM."""
    pcm = (audio.clamp(-1, 1) * 32767).round().to(torch.int16).numpy().tobytes()
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm)


def render_examples(directory: Path = EXAMPLES_DIR) -> None:
    """Re-render the shipped clips (python -c 'from demos.audio_attack.speech import render_examples; ...')."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (text, voice) in EXAMPLES.items():
        audio = synthesise(text, voice)
        write_wav(directory / name, audio / audio.abs().max() * 0.8)
