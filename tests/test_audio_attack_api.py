"""The adversarial audio tab's endpoints through gradio_client, good input and bad (the app from conftest.py)."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from gradio_client import handle_file

from tests.api_helpers import session_client

EXAMPLES = __file__.rsplit("/tests/", 1)[0] + "/assets/examples/audio"
DOOR = f"{EXAMPLES}/open_the_door.wav"
CTC, WHISPER = "speech-ctc", "whisper-tiny.en"


def error_text(call) -> str:
    with pytest.raises(Exception) as info:
        call()
    return str(info.value)


def run(client, clip=DOOR, model=CTC, kind="targeted", budget=-30, steps=100, target="open the window",
        all_steps=False):
    return client.predict(handle_file(clip), model, kind, budget, steps, target, all_steps,
                          api_name="/audio_attack_run")


def read(path) -> np.ndarray:
    samples, rate = sf.read(path, dtype="float32")
    assert rate == 16_000
    return samples


def transcribe(client, clip=DOOR, model=CTC):
    return client.predict(handle_file(clip), model, api_name="/audio_attack_transcribe")


def test_pick_returns_an_example_clip_the_models_hear_correctly(client):
    path = client.predict(0, api_name="/audio_attack_pick")
    assert path.endswith(".wav") and 0.5 < len(read(path)) / 16_000 < 3
    line, timing = client.predict(handle_file(path), CTC, api_name="/audio_attack_transcribe")
    assert "**open the door**" in line and "cpu" in timing
    assert "confidence" not in line  # the CTC model's frame probability says 87-98% on music too: not shown
    line, _ = transcribe(client, model=WHISPER)
    assert "**Open the door.**" in line and "not a calibrated confidence" in line


def test_a_targeted_attack_streams_then_fools_the_bundled_model_within_its_budget(client):
    job = client.submit(handle_file(DOOR), CTC, "targeted", -30, 100, "open the window", False,
                        api_name="/audio_attack_run")
    updates = [out[0] for out in job]
    (status, losses, verdict, numbers, clean, adversarial, perturbation, picture, timing, loss_png, loss_csv,
     numbers_csv) = job.result()
    assert sum("Step " in u for u in updates) >= 5  # the transcript and the loss arrive step by step
    assert "hears the target" in verdict and "**open the window**" in verdict and "~~door~~ **window**" in verdict
    assert "WER 33%" in numbers and "budget −30 dB" in numbers
    rows = losses["data"]
    assert len(rows) >= 5 and rows[-1][1] < rows[0][1]  # the target's loss falls
    x, adv, delta = read(clean), read(adversarial), read(perturbation)
    peak = np.abs(x).max()
    assert np.abs(adv - x).max() <= peak * 10 ** (-30 / 20) + 2 / 32767  # the budget (int16 rounding aside)
    assert np.abs(delta).max() == pytest.approx(np.abs(adv - x).max() * 10 ** 1.5, rel=0.02, abs=1e-3)  # +30 dB
    assert "perturbation player: +30 dB" in numbers  # as much as fits without clipping, and said
    assert Path(picture).name == f"audio_attack-{CTC}-targeted-budget-30dB-steps100-targetopen_the_window.png"
    assert "cpu" in timing
    *_, timing, _, _, _ = run(client)
    assert "cached" in timing


def test_the_loss_curve_and_the_numbers_download_as_png_and_csv(client):
    """Issue 20: every figure as PNG, every table as CSV, named after the tab and the settings."""
    (status, losses, verdict, numbers, *_, loss_png, loss_csv, numbers_csv) = run(client)
    name = f"audio_attack-{CTC}-targeted-budget-30dB-steps100-targetopen_the_window"
    assert Path(loss_png).name == f"{name}-loss.png" and Path(loss_png).read_bytes()[:4] == b"\x89PNG"
    assert Path(loss_csv).name == f"{name}-loss.csv"
    rows = list(csv.reader(Path(loss_csv).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["step", "loss"] and [float(v) for _, v in rows[1:]] == pytest.approx(
        [v for _, v in losses["data"]], rel=1e-3)  # the CSV keeps 4 significant digits (core.export)
    assert Path(numbers_csv).name == f"{name}-numbers.csv"
    header, values = list(csv.reader(Path(numbers_csv).read_text(encoding="utf-8-sig").splitlines()))
    found = dict(zip(header, values))
    assert found["wer"] == "0.3333" and found["budget_db"] == "-30" and found["steps"] == "100"
    assert found["steps_run"] in status and f"SNR {float(found['snr_db']):.1f} dB" in numbers
    *_, loss_png, loss_csv, numbers_csv = run(client, kind="fgsm", budget=-20)
    assert loss_png is None and loss_csv is None and numbers_csv.endswith("-numbers.csv")  # one step: no curve


@pytest.mark.parametrize("kind, expected", [("fgsm", "Done: one step."), ("pgd", "Done after 20 steps")])
def test_untargeted_attacks_run_all_their_steps_when_asked(client, kind, expected):
    status, losses, verdict, numbers, *_ = run(client, kind=kind, budget=-20, steps=20, all_steps=True)
    assert expected in status and "###" in verdict and "SNR" in numbers


def test_an_untargeted_attack_stops_once_fooled_and_transfers(app_url):
    """Issue 21: PGD ran all its steps after the transcript had changed, holding the heavy lane for minutes."""
    client = session_client(app_url)
    settings = (handle_file(DOOR), CTC, "pgd", -20, 200, "", False)
    status, losses, verdict, numbers, *_ = client.predict(*settings, api_name="/audio_attack_run")
    assert "Fooled" in verdict and "Done early: the goal was reached at step " in status, status
    step = int(status.split("at step ")[1].split(" of 200")[0])
    assert step < 200 and f"stopped early at step {step} of 200: the goal was reached" in numbers
    assert f"{step} steps in" in numbers or step == 1
    result, _ = client.predict(*settings, api_name="/audio_attack_transfer")
    assert "Played to Whisper tiny.en" in result
    # all steps is another result: Transfer does not take the early-stopped one for it
    assert "Run an attack with these settings first" in error_text(
        lambda: client.predict(*settings[:-1], True, api_name="/audio_attack_transfer"))
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"})
    status, _, _, numbers, *_ = chinese.predict(*settings, api_name="/audio_attack_run")
    assert f"提早完成：在第 {step} 步（共 200 步）就達成目標" in status and "提早停止" in numbers


@pytest.mark.slow  # re-measures a real model (Whisper, 40 attack steps: 14 s in CI): CI's second step
def test_whisper_hears_the_target_after_a_targeted_attack(client):
    status, _, verdict, numbers, *_ = run(client, model=WHISPER, budget=-30, steps=40)
    assert "hears the target" in verdict and "**Open the window.**" in verdict, verdict


def test_noise_transfer_and_defences(client):
    run(client)
    result, player, timing = client.predict(handle_file(DOOR), CTC, -30, api_name="/audio_attack_noise")
    assert "Random ±ε noise at −30 dB" in result and "draws" in result and player.endswith(".wav")
    assert "Measured on the 8 example clips at −30 dB" in result
    result, _ = client.predict(handle_file(DOOR), CTC, "targeted", -30, 100, "open the window", False,
                               api_name="/audio_attack_transfer")
    assert "The clean clip, to Whisper tiny.en: **Open the door.**" in result and "Played to Whisper tiny.en" in result
    table, _, table_csv = client.predict(handle_file(DOOR), CTC, "targeted", -30, 100, "open the window", False,
                                         api_name="/audio_attack_defend")
    lines = table.split("\n\n")[0].splitlines()
    assert len(lines) == 2 + 6 and "| none | open the door | open the window | yes |" in lines
    name = f"audio_attack-{CTC}-targeted-budget-30dB-steps100-targetopen_the_window"
    assert Path(table_csv).name == f"{name}-defences.csv"
    rows = list(csv.reader(Path(table_csv).read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 1 + 6 and ["none", "open the door", "open the window", "yes"] in rows
    assert "with that defence and without it" in table


def test_transfer_and_defences_need_an_attack_first(client):
    for api in ("/audio_attack_transfer", "/audio_attack_defend"):
        message = error_text(lambda api=api: client.predict(handle_file(DOOR), CTC, "targeted", -41, 7, "go left",
                                                            False, api_name=api))
        assert "Run an attack with these settings first" in message
    # Asking first must not spoil the attack itself (nothing is remembered for a missing attack) ...
    status, _, verdict, *_ = run(client, kind="targeted", budget=-41, steps=7, target="go left")
    assert "Done after" in status and "Not yet" in verdict
    # ... and once it ran and missed, transfer and defences say that there is nothing to carry over.
    for api in ("/audio_attack_transfer", "/audio_attack_defend"):
        message = error_text(lambda api=api: client.predict(handle_file(DOOR), CTC, "targeted", -41, 7, "go left",
                                                            False, api_name=api))
        assert "did not fool the model" in message


def test_stop_ends_a_running_attack_and_keeps_its_result(app_url):
    client = session_client(app_url)
    job = client.submit(handle_file(DOOR), CTC, "targeted", -60, 200, "turn off the heater", False,
                        api_name="/audio_attack_run")
    for out in job:
        if out[0].startswith("Step "):
            break
    assert "Stopping" in client.predict(api_name="/audio_attack_stop")
    result = job.result()
    assert "Stopped after" in result[0] and "stopped by you" in result[3]
    assert int(result[3].split(" steps")[0].split()[-1]) < 200


def test_a_stopped_attack_that_already_fooled_the_model_can_be_transferred_and_defended(app_url):
    client = session_client(app_url)
    settings = (CTC, "pgd", -20, 200, "", True)  # all steps: it would not stop by itself once fooled
    job = client.submit(handle_file(DOOR), *settings, api_name="/audio_attack_run")
    for out in job:
        if "hears:" in out[0] and "open the door" not in out[0]:
            break  # the transcript changed: stop here
    client.predict(api_name="/audio_attack_stop")
    status, _, verdict, *_ = job.result()
    assert "Stopped after" in status and "Fooled" in verdict
    table, *_ = client.predict(handle_file(DOOR), *settings, api_name="/audio_attack_defend")
    assert "| none | open the door |" in table
    result, _ = client.predict(handle_file(DOOR), *settings, api_name="/audio_attack_transfer")
    assert "Played to Whisper tiny.en" in result


def test_stop_with_nothing_running_leaves_no_stopping_text(app_url):
    client = session_client(app_url)  # a session of its own, with no attack running
    assert "Stopping" not in str(client.predict(api_name="/audio_attack_stop"))
    status, *_ = run(client, kind="fgsm", budget=-20)
    assert "Done: one step." in status  # and the stop asked for earlier does not stop the next attack
    assert "Stopping" not in str(client.predict(api_name="/audio_attack_stop"))


def test_the_model_dropdown_switches_and_refuses_what_it_does_not_know(client):
    key, line = client.predict(CTC, api_name="/audio_attack_model")
    assert key == CTC and "speech-ctc" in line
    assert "no model choice" in error_text(lambda: client.predict("gpt-9", api_name="/audio_attack_model"))
    # a Hub model offline: the list goes back to the best ready model instead of staying on it (issue 20)
    key, line = client.predict("wav2vec2-base-960h", api_name="/audio_attack_model")
    assert key != "wav2vec2-base-960h" and key in line and "wav2vec2-base-960h" not in line


def write(tmp_path, name, samples, rate=16_000, subtype="PCM_16"):
    path = tmp_path / name
    sf.write(path, samples, rate, subtype=subtype)
    return str(path)


def raw(tmp_path, name, data: bytes) -> str:
    (tmp_path / name).write_bytes(data)
    return str(tmp_path / name)


def test_rates_channels_and_a_long_clip_are_taken_in(client, tmp_path):
    import torch
    import torchaudio.functional as AF

    door = read(DOOR)
    for rate in (8_000, 44_100, 48_000):
        resampled = AF.resample(torch.from_numpy(door), 16_000, rate).numpy()
        stereo = np.stack([resampled, resampled * 0.5], axis=1)
        line, _ = transcribe(client, write(tmp_path, f"door_{rate}.wav", stereo, rate))
        assert "**open the door**" in line, (rate, line)
    long = np.concatenate([door] + [np.zeros(16_000 * 60, np.float32)] * 10)  # ten minutes
    line, _ = transcribe(client, write(tmp_path, "long.wav", long))
    assert "**open the door**" in line


@pytest.mark.parametrize("make, expected", [
    (lambda p: None, "No clip yet"),
    (lambda p: write(p, "silent.wav", np.zeros(16_000, np.float32)), "The recording is silent"),
    (lambda p: write(p, "one.wav", np.array([0.5], np.float32)), "give at least 0.2 s"),
    (lambda p: raw(p, "corrupt.wav", b"RIFF\x00\x00\x00\x00WAVEfmt garbage"), "This is not audio we can read"),
    (lambda p: raw(p, "picture.png", b"\x89PNG\r\n\x1a\n" + bytes(100)), "This file is a PNG file, not audio"),
    (lambda p: write(p, "nan.wav", np.array([0.1, np.nan] * 8000, np.float32), subtype="FLOAT"),
     "NaN or infinite"),
])
def test_bad_clips_get_a_clear_message(client, tmp_path, make, expected):
    path = make(tmp_path)
    clip = handle_file(path) if path else None
    assert expected in error_text(lambda: client.predict(clip, CTC, api_name="/audio_attack_transcribe"))
    assert expected in error_text(lambda: client.predict(clip, CTC, "targeted", -30, 10, "go", False,
                                                         api_name="/audio_attack_run"))


@pytest.mark.parametrize("change, expected", [
    (dict(target=""), "Type the phrase the model should hear"),
    (dict(target="x" * 500), "The target phrase has 500 characters: at most 100"),
    (dict(target="open door 3"), "cannot write these characters: 3"),
    (dict(target="開門"), "These characters cannot be spoken: 開 門"),
    (dict(target="open the door"), "The model already hears"),
    (dict(target="turn on the lights and close the window and open the door and go left now please"),
     "leaves room for"),
    (dict(kind="jump"), "There is no attack 'jump'"),
    (dict(budget=-5), "must be a number between -60 and -20"),
    (dict(steps=0), "must be a whole number between 1 and 200"),
    (dict(model="gpt-9"), "no model choice"),
    (dict(all_steps="yes"), "“Run all steps” is true or false, not 'yes'"),
])
def test_bad_settings_get_a_clear_message(client, change, expected):
    assert expected in error_text(lambda: run(client, **{**dict(steps=5), **change}))


def test_nan_budget_through_the_raw_api_gets_a_clear_message(app_url, client):
    from tests.api_helpers import raw_call

    path = client.predict(0, api_name="/audio_attack_pick")  # a clip already on the server
    file = json.dumps({"path": path, "meta": {"_type": "gradio.FileData"}})
    body = f'{{"data": [{file}, "speech-ctc", "fgsm", NaN, 5, "go", false]}}'
    answer = raw_call(app_url, "audio_attack_run", body)
    assert "event: error" in answer and "must be a number between -60 and -20 (got nan)" in answer
    answer = raw_call(app_url, "audio_attack_run", body, {"Accept-Language": "zh-TW"})
    assert "「預算 ε（dB）」必須是介於 -60 與 -20 之間的數字" in answer


def test_an_empty_budget_gets_a_message_not_a_run(app_url, client):
    from tests.api_helpers import raw_call

    path = client.predict(0, api_name="/audio_attack_pick")
    file = json.dumps({"path": path, "meta": {"_type": "gradio.FileData"}})
    answer = raw_call(app_url, "audio_attack_run", f'{{"data": [{file}, "speech-ctc", "fgsm", null, null, "", false]}}')
    assert "event: error" in answer and "is empty: type a number between -60 and -20" in answer, answer[-500:]


BAD_TARGETS = ["open 😀 window", "open\x07the window", "go\tleft", "<mask>", "open the <|endoftext|>", "[MASK]",
               "_go_"]
SETTINGS_APIS = ("/audio_attack_run", "/audio_attack_transfer", "/audio_attack_defend")


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_a_target_no_model_can_hear_gets_a_message_before_any_model_work(client, target):
    for api in SETTINGS_APIS:  # no clip at all: the target is refused before a clip is read or a model runs
        message = error_text(lambda api=api: client.predict(None, WHISPER, "targeted", -30, 100, target, False,
                                                            api_name=api))
        assert "These characters cannot be spoken" in message, (api, message)
    line, _ = transcribe(client)
    assert "**open the door**" in line  # the server still serves


@pytest.mark.parametrize("budget", [None, "", "nan"])
def test_an_empty_or_nan_budget_gets_a_message_before_any_model_work(client, budget):
    calls = [lambda api=api: client.predict(None, WHISPER, "targeted", budget, 100, "go left", False, api_name=api)
             for api in SETTINGS_APIS]
    calls.append(lambda: client.predict(None, WHISPER, budget, api_name="/audio_attack_noise"))
    for call in calls:
        message = error_text(call)
        assert "budget ε (db)" in message.lower() and "between -60 and -20" in message, message
    status, *_ = run(client, kind="fgsm", budget=-20)
    assert "Done: one step." in status


def test_bad_targets_and_budgets_get_chinese_messages(app_url):
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    message = error_text(lambda: chinese.predict(None, WHISPER, "targeted", -30, 100, "[MASK]", False,
                                                 api_name="/audio_attack_run"))
    assert "這些字元唸不出來：[ ]" in message
    message = error_text(lambda: chinese.predict(None, WHISPER, "targeted", None, 100, "go", False,
                                                 api_name="/audio_attack_defend"))
    assert "是空的" in message


def test_a_real_png_uploaded_as_audio_gets_a_clear_message(app_url, client, tmp_path):
    from PIL import Image as PILImage

    path = tmp_path / "red.png"
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(path)
    for api, args in (("/audio_attack_transcribe", (CTC,)), ("/audio_attack_run", (CTC, "fgsm", -20, 1, "", False)),
                      ("/audio_attack_noise", (CTC, -30))):
        message = error_text(lambda api=api, args=args: client.predict(handle_file(str(path)), *args, api_name=api))
        assert "This file is a PNG file, not audio: upload or record a sound clip" in message, (api, message)
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"})
    message = error_text(lambda: chinese.predict(handle_file(str(path)), CTC, api_name="/audio_attack_transcribe"))
    assert "這個檔案是 PNG 檔，不是音訊" in message
    line, _ = transcribe(client)
    assert "**open the door**" in line


def test_a_long_clip_says_it_was_cut_in_the_returned_text(client, tmp_path):
    long = np.concatenate([read(DOOR), np.zeros(16_000 * 20, np.float32)])
    line, _ = transcribe(client, write(tmp_path, "long.wav", long))
    assert "only its first 15 s are used" in line


def test_errors_follow_the_users_language(app_url):
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert "這個模型寫不出這些字元：3" in error_text(lambda: run(chinese, target="go 3"))
    assert "請先用這些設定執行一次攻擊" in error_text(lambda: chinese.predict(
        handle_file(DOOR), CTC, "pgd", -59, 3, "", False, api_name="/audio_attack_defend"))


def test_the_server_keeps_serving_after_bad_input(client):
    for _ in range(3):
        error_text(lambda: run(client, target=""))
    line, _ = transcribe(client)
    assert "**open the door**" in line


def test_a_students_attack_stays_theirs_however_many_others_attack(app_url):
    """Issue 21: finished attacks lived only in one store of 32 shared by everyone, so in a class Transfer and
    Defend told a student to "run an attack first" after 32 other attacks. The shared store is emptied here (what
    33 other attacks would do): the student's own attack still transfers; another student has none."""
    from demos.audio_attack import ui

    student, other = session_client(app_url), session_client(app_url)
    settings = (handle_file(DOOR), CTC, "targeted", -30, 100, "open the window", False)
    status, _, verdict, *_ = student.predict(*settings, api_name="/audio_attack_run")
    assert "hears the target" in verdict
    ui.RESULTS.clear()
    result, _ = student.predict(*settings, api_name="/audio_attack_transfer")
    assert "Played to Whisper tiny.en" in result
    assert "Run an attack with these settings first" in error_text(
        lambda: other.predict(*settings, api_name="/audio_attack_transfer"))
