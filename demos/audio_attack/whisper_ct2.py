"""Whisper tiny.en from a CTranslate2 model file, read with this project's own reader (no code of the
package that carries it runs) and poured into transformers' WhisperForConditionalGeneration, in float32.

The CTranslate2 format (little-endian): uint32 format version; the spec name as a string (uint16 byte
length, then the bytes, NUL-padded); uint32 spec revision; uint32 number of variables; per variable: its name
(a string), uint8 rank, rank x uint32 dims, uint8 dtype (0 float32, 1 int8, 2 int16, 3 int32, 4 float16),
uint32 byte count, the raw bytes; from version 3 on, a uint32 count of aliases and (alias, target) string pairs.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import torch

from core.models import from_transformers

DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class CT2FormatError(ValueError):
    """The file is not a CTranslate2 model this reader understands."""


def _string(data: memoryview, at: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<H", data, at)
    at += 2
    return bytes(data[at:at + length]).rstrip(b"\0").decode("utf-8"), at + length


def read_ct2(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(header, {name: array}) of a CTranslate2 model.bin; aliases resolve to their target's array."""
    data = memoryview(Path(path).read_bytes())
    try:
        (version,) = struct.unpack_from("<I", data, 0)
        spec, at = _string(data, 4)
        revision, count = struct.unpack_from("<II", data, at)
        at += 8
        variables: dict[str, np.ndarray] = {}
        for _ in range(count):
            name, at = _string(data, at)
            (rank,) = struct.unpack_from("<B", data, at)
            dims = struct.unpack_from(f"<{rank}I", data, at + 1)
            at += 1 + 4 * rank
            dtype_code, nbytes = struct.unpack_from("<BI", data, at)
            at += 5
            if dtype_code not in DTYPES:
                raise CT2FormatError(f"{name}: unknown dtype code {dtype_code}")
            array = np.frombuffer(data[at:at + nbytes], dtype=np.dtype(DTYPES[dtype_code]).newbyteorder("<"))
            if array.size != int(np.prod(dims)):
                raise CT2FormatError(f"{name}: {nbytes} bytes do not hold {dims}")
            variables[name] = array.reshape(dims)
            at += nbytes
        if version >= 3:
            (aliases,) = struct.unpack_from("<I", data, at)
            at += 4
            for _ in range(aliases):
                alias, at = _string(data, at)
                target, at = _string(data, at)
                variables[alias] = variables[target]
    except struct.error as exc:
        raise CT2FormatError(f"truncated file ({exc})") from None
    if at != len(data):
        raise CT2FormatError(f"{len(data) - at} bytes left after the last entry")
    return {"version": version, "spec": spec, "revision": revision}, variables


def write_ct2(path: Path, spec: str, variables: dict[str, np.ndarray], *, version: int = 6, revision: int = 1,
              aliases: dict[str, str] | None = None) -> None:
    """The same format, written (the tests round-trip tiny files through the reader)."""
    codes = {np.dtype(v): k for k, v in DTYPES.items()}

    def string(text: str) -> bytes:
        raw = text.encode("utf-8") + b"\0"
        return struct.pack("<H", len(raw)) + raw

    out = [struct.pack("<I", version), string(spec), struct.pack("<II", revision, len(variables))]
    for name, array in variables.items():
        array = np.array(array, order="C")  # (ascontiguousarray would make a scalar 1-D)
        out += [string(name), struct.pack("<B", array.ndim), struct.pack(f"<{array.ndim}I", *array.shape),
                struct.pack("<BI", codes[array.dtype], array.nbytes), array.astype(array.dtype.newbyteorder("<"))
                .tobytes()]
    if version >= 3:
        aliases = aliases or {}
        out.append(struct.pack("<I", len(aliases)))
        out += [string(alias) + string(target) for alias, target in aliases.items()]
    Path(path).write_bytes(b"".join(out))


def to_tensors(variables: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {name: torch.from_numpy(np.array(array, dtype=np.float32)) for name, array in variables.items()
            if array.dtype.kind == "f"}


# ------------------------------------------------------------------ CTranslate2 Whisper -> transformers

def _norm(state: dict, target: str, source: str, variables: dict) -> None:
    state[f"{target}.weight"] = variables[f"{source}/gamma"]
    state[f"{target}.bias"] = variables[f"{source}/beta"]


def _linear(state: dict, target: str, source: str, variables: dict) -> None:
    state[f"{target}.weight"] = variables[f"{source}/weight"]
    state[f"{target}.bias"] = variables[f"{source}/bias"]


def _split(state: dict, targets: list[str], source: str, variables: dict, unbiased: tuple[str, ...] = ("k_proj",)):
    """A fused projection (CTranslate2 stacks q, k, v along the output rows) -> the separate ones. Whisper's
    key projections have no bias: CTranslate2 stores zeros there, which must stay zeros."""
    weights = np.split(variables[f"{source}/weight"], len(targets), axis=0)
    biases = np.split(variables[f"{source}/bias"], len(targets), axis=0)
    for target, weight, bias in zip(targets, weights, biases):
        state[f"{target}.weight"] = weight
        if target.rsplit(".", 1)[-1] in unbiased:
            if np.abs(bias).max() > 0:
                raise CT2FormatError(f"{source}: the key projection has a non-zero bias")
        else:
            state[f"{target}.bias"] = bias


def whisper_state_dict(variables: dict[str, np.ndarray], layers: int) -> dict[str, torch.Tensor]:
    """CTranslate2's WhisperSpec variable names -> WhisperForConditionalGeneration's parameter names."""
    state: dict[str, np.ndarray] = {}
    for side in ("encoder", "decoder"):
        state[f"model.{side}.embed_positions.weight"] = variables[f"{side}/position_encodings/encodings"]
        _norm(state, f"model.{side}.layer_norm", f"{side}/layer_norm", variables)
        for i in range(layers):
            src, dst = f"{side}/layer_{i}", f"model.{side}.layers.{i}"
            _split(state, [f"{dst}.self_attn.{p}" for p in ("q_proj", "k_proj", "v_proj")],
                   f"{src}/self_attention/linear_0", variables)
            _linear(state, f"{dst}.self_attn.out_proj", f"{src}/self_attention/linear_1", variables)
            _norm(state, f"{dst}.self_attn_layer_norm", f"{src}/self_attention/layer_norm", variables)
            _linear(state, f"{dst}.fc1", f"{src}/ffn/linear_0", variables)
            _linear(state, f"{dst}.fc2", f"{src}/ffn/linear_1", variables)
            _norm(state, f"{dst}.final_layer_norm", f"{src}/ffn/layer_norm", variables)
            if side == "decoder":
                _linear(state, f"{dst}.encoder_attn.q_proj", f"{src}/attention/linear_0", variables)
                _split(state, [f"{dst}.encoder_attn.{p}" for p in ("k_proj", "v_proj")],
                       f"{src}/attention/linear_1", variables)
                _linear(state, f"{dst}.encoder_attn.out_proj", f"{src}/attention/linear_2", variables)
                _norm(state, f"{dst}.encoder_attn_layer_norm", f"{src}/attention/layer_norm", variables)
    for conv in ("conv1", "conv2"):
        _linear(state, f"model.encoder.{conv}", f"encoder/{conv}", variables)
    state["model.decoder.embed_tokens.weight"] = variables["decoder/embeddings/weight"]
    state["proj_out.weight"] = variables["decoder/projection/weight"]
    return to_tensors(state)


def tiny_en_config():
    """Whisper tiny.en's architecture (OpenAI's model card): 4+4 layers, 6 heads, d_model 384, 51,864 tokens."""
    (whisper_config,) = from_transformers("WhisperConfig")
    return whisper_config(vocab_size=51864, num_mel_bins=80, encoder_layers=4, decoder_layers=4,
                         encoder_attention_heads=6, decoder_attention_heads=6, d_model=384, encoder_ffn_dim=1536,
                         decoder_ffn_dim=1536, max_source_positions=1500, max_target_positions=448,
                         pad_token_id=50256, bos_token_id=50257, eos_token_id=50256, decoder_start_token_id=50257,
                         tie_word_embeddings=True)


def read_whisper(path: Path, layers: int = 4) -> dict[str, torch.Tensor]:
    """A CTranslate2 Whisper model.bin -> a state dict for WhisperForConditionalGeneration (float32)."""
    header, variables = read_ct2(path)
    if header["spec"] != "WhisperSpec":
        raise CT2FormatError(f"expected a WhisperSpec, found {header['spec']!r}")
    return whisper_state_dict(variables, layers)


def build_tiny_en():
    (whisper,) = from_transformers("WhisperForConditionalGeneration")
    return whisper(tiny_en_config())

