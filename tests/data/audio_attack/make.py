"""Renders the adversarial audio tab's held-out clips with flite (CMU Flite 2.2, Debian package ``flite``):
another synthesiser than the espeak-ng that made the shipped examples and the bundled CTC model's training data,
and other voices (flite's kal16, awb, rms, slt). Writes <name>.wav (16 kHz mono 16-bit, silence trimmed to
0.1 s, peak 0.8) and heldout.json (file, what it says, voice).

    python tests/data/audio_attack/make.py       # needs flite (apt-get install flite)
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from demos.audio_attack.speech import load_wav, trim, write_wav  # noqa: E402

# (name, text as typed to flite, what a listener hears, voice). The first eight are in the bundled CTC model's
# vocabulary (commands and digits); the rest carry numbers, contractions and punctuation.
CLIPS = (
    ("lock_the_door", "lock the door", "lock the door", "slt"),
    ("turn_off_the_heater", "turn off the heater", "turn off the heater", "rms"),
    ("go_forward", "go forward", "go forward", "awb"),
    ("check_the_radio", "check the radio", "check the radio", "kal16"),
    ("open_the_window", "open the window", "open the window", "rms"),
    ("move_down", "move down", "move down", "slt"),
    ("four_one_nine", "four one nine", "four one nine", "awb"),
    ("two_eight_six", "two, eight, six", "two eight six", "slt"),
    ("dont_stop", "Don't stop the music!", "don't stop the music", "kal16"),
    ("twenty_past_three", "It's twenty past three.", "it's twenty past three", "slt"),
    ("room_forty_two", "Room 42, please.", "room forty two please", "rms"),
    ("seven_apples", "I'll buy 7 apples.", "i'll buy seven apples", "awb"),
)


def render(text: str, voice: str):
    with tempfile.NamedTemporaryFile(suffix=".wav") as handle:
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", handle.name], check=True, timeout=60)
        return trim(load_wav(Path(handle.name)))


def main() -> None:
    manifest = []
    for name, typed, heard, voice in CLIPS:
        audio = render(typed, voice)
        write_wav(HERE / f"{name}.wav", audio / audio.abs().max() * 0.8)
        manifest.append({"file": f"{name}.wav", "text": heard, "typed": typed, "voice": f"flite {voice}"})
    (HERE / "heldout.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
