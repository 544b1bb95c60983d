"""Kept only for two test files that still import their helpers from here (test_saliency_api.py,
test_audio_attack_api.py): the helpers are in tests/api_helpers.py, the app-wide checks in test_app_api.py, the
distillation ones in test_distillation_api.py. Delete this file once those two import from api_helpers."""
from tests.api_helpers import BAD_POSITIONS, error_text, raw_call  # noqa: F401
