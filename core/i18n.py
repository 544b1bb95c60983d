"""Strings in English and Traditional Chinese, and the error type that carries a translatable message.

Each topic registers its own strings (``register``); keys are namespaced ``<topic>.<name>``.
Nothing here imports gradio, so logic.py can raise ``UserInputError`` without depending on the UI.
"""
from __future__ import annotations

import re

LANGS = ("en", "zh")

_catalog: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
_default_lang = "en"


def register(strings: dict[str, dict[str, str]]) -> None:
    """Add ``{"en": {...}, "zh": {...}}``; both languages must define the same keys."""
    if set(strings) != set(LANGS):
        raise ValueError(f"strings must be given for exactly {LANGS}")
    keys = {lang: set(table) for lang, table in strings.items()}
    if keys["en"] != keys["zh"]:
        raise ValueError(f"keys differ between languages: {sorted(keys['en'] ^ keys['zh'])}")
    for lang, table in strings.items():
        _catalog[lang].update(table)


def set_default_lang(lang: str) -> None:
    global _default_lang
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}")
    _default_lang = lang


def default_lang() -> str:
    return _default_lang


def reset(topics: tuple[str, ...] | list[str] = ()) -> None:
    """The catalog and language as at start-up (tests): English is the default language again, and the strings of
    ``topics`` (keys ``<topic>.…``, e.g. a throwaway tab's) are forgotten. The modules' own strings stay: each
    registers them once, on import, and would not again."""
    global _default_lang
    _default_lang = "en"
    prefixes = tuple(f"{topic}." for topic in topics)
    for table in _catalog.values():
        for key in [key for key in table if prefixes and key.startswith(prefixes)]:
            del table[key]


def lang_from_header(accept_language: str | None) -> str:
    """'zh-TW,zh;q=0.9,en;q=0.8' -> 'zh'. Falls back to the app's default language."""
    if not accept_language:
        return _default_lang
    first = accept_language.split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def space(lang: str) -> str:
    """Between two sentences: a space in English, nothing after a Chinese full stop."""
    return "" if lang == "zh" else " "


def t(key: str, lang: str | None = None, **params) -> str:
    lang = lang if lang in LANGS else _default_lang
    text = _catalog[lang].get(key) or _catalog["en"].get(key) or key
    return text.format(**params) if params else text


def listed(items, lang: str) -> str:
    """Items as a list in running text: "a, b, c" or "a、b、c"."""
    return t("app.list_separator", lang).join(items)


def catalog() -> dict[str, dict[str, str]]:
    return {lang: dict(table) for lang, table in _catalog.items()}


class UserInputError(ValueError):
    """Bad input from a user: shown to them, translated, never as a stack trace."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(t(key, "en", **params))

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


register({
    "en": {
        "app.title": "# ML Demo Gallery",
        "app.page_title": "ML Demo Gallery",
        "app.queue": "queue:",
        "app.processing": "processing",
        "app.subtitle": "Hung-yi Lee's machine-learning lectures, made touchable.",
        "app.notes": "Lecture notes",
        "app.timing": "{device} · {ms:.0f} ms",
        "app.timing_s": "{device} · {s:.1f} s",
        "app.cached": "cached",
        "app.list_separator": ", ",
        "app.error_title": "Error",
        "app.warning_title": "Warning",
        "app.info_title": "Info",
        "app.running_on": "Running on **{device}**",
        "error.number": "{name} must be a number between {low:g} and {high:g} (got {value}).",
        "error.integer": "{name} must be a whole number between {low:g} and {high:g} (got {value}).",
        "error.number_empty": "{name} is empty: type a number between {low:g} and {high:g}.",
        "error.internal": "Something went wrong while computing this. The app is still running; please try again.",
        "app.busy_title": "Busy: please try again soon",
        "app.busy": "The server is busy: about {seconds:.0f} s of heavy work with yours (jobs in line before it: "
                    "{jobs}). Please try again in a minute; everything else on the page still answers at once.",
        "gallery.position": "Pick one of the {count} pictures in the gallery: a position from 0 to {last}.",
        "upload.none": "No file yet: upload or draw one first.",
        "upload.missing": "The uploaded file could not be found on the server; please upload it again.",
        "upload.too_big": "The file is {mb:.1f} MB; the limit is {limit_mb:.0f} MB.",
        "upload.empty": "The file is empty (0 bytes).",
        "image.unreadable": "This is not an image we can read. Accepted: PNG, JPEG, WebP, BMP, GIF, TIFF.",
        "image.too_many_pixels": "The image is {mp:.0f} megapixels; the limit is {limit:.0f} megapixels.",
        "audio.unreadable": "This is not audio we can read ({english_detail}). "
                            "Accepted: WAV (8/16/24/32-bit, float), FLAC, OGG, MP3.",
        "audio.silent": "The recording is silent: nothing above the noise floor.",
        "audio.no_samples": "The recording has no samples.",
        "audio.not_finite": "The audio contains NaN or infinite samples.",
    },
    "zh": {
        "app.title": "# 機器學習互動展示",
        "app.page_title": "機器學習互動展示",
        "app.queue": "排隊中：",
        "app.processing": "處理中",
        "app.subtitle": "李宏毅老師機器學習課程，動手玩的版本。",
        "app.notes": "課堂筆記",
        "app.timing": "{device} · {ms:.0f} 毫秒",
        "app.timing_s": "{device} · {s:.1f} 秒",
        "app.cached": "快取結果",
        "app.list_separator": "、",
        "app.error_title": "錯誤",
        "app.warning_title": "提醒",
        "app.info_title": "訊息",
        "app.running_on": "運算裝置：**{device}**",
        "error.number": "「{name}」必須是介於 {low:g} 與 {high:g} 之間的數字（收到 {value}）。",
        "error.integer": "「{name}」必須是介於 {low:g} 與 {high:g} 之間的整數（收到 {value}）。",
        "error.number_empty": "「{name}」是空的：請輸入 {low:g} 到 {high:g} 之間的數字。",
        "error.internal": "計算時發生錯誤。程式仍在執行，請再試一次。",
        "app.busy_title": "伺服器忙碌中，請稍後再試",
        "app.busy": "伺服器正忙：前面還有 {jobs} 個其他同學的運算，連同你的約需 {seconds:.0f} 秒。"
                    "請一分鐘後再試；頁面上的其他功能仍可立即使用。",
        "gallery.position": "請從圖庫的 {count} 張圖中選一張：位置 0 到 {last}。",
        "upload.none": "還沒有檔案：請先上傳或畫一個。",
        "upload.missing": "伺服器上找不到上傳的檔案，請重新上傳。",
        "upload.too_big": "檔案大小為 {mb:.1f} MB，上限是 {limit_mb:.0f} MB。",
        "upload.empty": "檔案是空的（0 位元組）。",
        "image.unreadable": "無法讀取這張圖片。支援格式：PNG、JPEG、WebP、BMP、GIF、TIFF。",
        "image.too_many_pixels": "圖片有 {mp:.0f} 百萬像素，上限是 {limit:.0f} 百萬像素。",
        "audio.unreadable": "無法讀取這段音訊（檔案可能已損毀，或不是支援的格式）。"
                            "支援格式：WAV（8/16/24/32 位元、浮點）、FLAC、OGG、MP3。",
        "audio.silent": "錄音是靜音的：沒有高於雜訊底線的聲音。",
        "audio.no_samples": "錄音沒有任何取樣點。",
        "audio.not_finite": "音訊含有 NaN 或無限大的取樣值。",
    },
})


def is_empty(value) -> bool:
    """An emptied box or a missing value, as it reaches a handler: None, or a string of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def check_number(value, name: str, low: float, high: float, *, integer: bool = False):
    """Validate a number that came through the UI or the API (empty, NaN, strings, out of range, fractions)."""
    if is_empty(value):
        raise UserInputError("error.number_empty", name=name, low=low, high=high)
    key = "error.integer" if integer else "error.number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserInputError(key, name=name, low=low, high=high, value=shown(value)) from None
    if not (low <= number <= high) or (integer and number != int(number)):  # NaN fails the first test
        raise UserInputError(key, name=name, low=low, high=high, value=shown(value))
    return int(number) if integer else number


def shown(value, limit: int = 24, *, quote: bool = True) -> str:
    """A value quoted back in a message, as the user would recognise it (strings quoted), at most ``limit``
    characters: what came through the API can be anything, of any length."""
    text = repr(value) if quote and isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# Gradio's own interface words that its Traditional Chinese translation lacks (the drawing tools' names,
# and the word screen readers hear when a job finishes); its English ones, repeated for symmetry.
_GRADIO_WORDS = {
    "image_editor.pan": ("Pan", "平移"), "image_editor.zoom_in": ("Zoom in", "放大"),
    "image_editor.zoom_out": ("Zoom out", "縮小"), "image_editor.redo": ("Redo", "重做"),
    "image_editor.clear_canvas": ("Clear canvas", "清除畫布"), "image_editor.brush": ("Brush", "筆刷"),
    "image_editor.erase": ("Erase", "橡皮擦"), "image_editor.color": ("Color", "顏色"),
    "image_editor.brush_size": ("Brush Size", "筆刷大小"), "image_editor.eraser_size": ("Eraser Size", "橡皮擦大小"),
    "image_editor.fit_to_screen": ("Fit to screen", "符合畫面"),
    "image_editor.select_draw_tool": ("select the draw tool to start", "請先選擇畫筆"),
    "common.complete": ("Complete", "完成"),
}
register({lang: {key: words[index] for key, words in _GRADIO_WORDS.items()} for index, lang in enumerate(LANGS)})

#: Gradio's English that its i18n does not reach (hard-coded tooltips, screen-reader labels, the charts' descriptions
#: for a screen reader and the upload toast):
#: a Chinese page rewrites them in the browser (app.py, chinese_page_js). Whole attribute values, then attribute
#: patterns, then the patterns also rewritten in text (JavaScript regular expressions; $1, $2 are their groups).
#: What is left in English is listed in the README.
GRADIO_HARD_CODED_ZH = {
    "Fullscreen": "全螢幕", "Exit fullscreen mode": "離開全螢幕", "Remove Image": "移除圖片",
    "Paste from clipboard": "從剪貼簿貼上", "Upload file": "上傳檔案",
    "Click to upload or drop files": "點一下上傳，或把檔案拖到這裡",
    "Record audio": "錄音", "Reset audio": "重設音訊", "Trim audio to selection": "把音訊剪成選取的範圍",
    "Adjust volume": "調整音量", "Empty value": "空白", "Reset to default value": "恢復預設值", "undo": "復原",
    "Download": "下載", "Clear": "清除", "Copy": "複製", "Gradio footer navigation": "頁尾導覽",
    # the charts' (Vega's) screen-reader words: the chart, its parts' roles
    "Vega visualization": "圖表", "visualization": "圖表", "axis": "座標軸", "legend": "圖例", "line mark": "線",
    "point": "點", "bar": "長條", "group mark container": "圖形群組", "line mark container": "線條群組",
    "rect mark container": "長條群組", "symbol mark container": "點群組",
}
GRADIO_HARD_CODED_ZH_PATTERNS = [
    (r"^number input for (.*)$", "數字輸入：$1"), (r"^range slider for (.*)$", "滑桿：$1"),
    (r"^Thumbnail (\d+) of (\d+)$", "第 $1 張縮圖，共 $2 張"),
    (r"^Adjust playback speed to (.*)$", "播放速度調為 $1"),
    (r"^Skip forward by ([\d.]+) seconds$", "快轉 $1 秒"), (r"^Skip backwards by ([\d.]+) seconds$", "倒轉 $1 秒"),
    # a chart's axes, as Vega describes them to a screen reader
    (r"^([XY])-axis titled '(.*)' for a linear scale with values from (.*) to (.*)$",
     "$1 軸「$2」，線性刻度，從 $3 到 $4"),
    (r"^([XY])-axis titled '(.*)' for a discrete scale with (\d+) values?: (.*), ending with (.*)$",
     "$1 軸「$2」，$3 個類別：$4……最後是 $5"),
    (r"^([XY])-axis titled '(.*)' for a discrete scale with (\d+) values?: (.*)$", "$1 軸「$2」，$3 個類別：$4"),
    (r"(^|; )curve: ", "$1曲線："),  # a line's point (x: …; y: …; curve: …), the GAN walk's column
    # a bar of the distillation tab's class charts (x: …; p: …; kind: …)
    (r"(^|; )kind: prediction$", "$1預測的數字"), (r"(^|; )kind: other$", "$1其他數字"),
    (r"(^|; )kind: cut$", "$1超出放大範圍的長條"),
]
GRADIO_HARD_CODED_ZH_TEXT_PATTERNS = [  # in text too: a page's other text may hold a user's own English words
    (r"Invalid file types?: (.*)\. Only (.*) allowed\.", "檔案類型不符：$1。只接受 $2。"),
]


# ---------------------------------------------------------------- lecture notes with measured numbers

PLACEHOLDER = re.compile(r"{{(\w+)}}")


def read_results(path) -> dict | None:
    """A tab's shipped results.json (None before its measurement has run)."""
    import json
    from pathlib import Path

    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def lecture_notes(folder, lang: str, results: dict | None, note_numbers) -> str:
    """``folder``/notes.<lang>.md with its {{placeholders}} filled by ``note_numbers(results)`` ("?" where a
    number is missing: before the measurement has run, or from an older results.json; tests check that the
    shipped notes have none left)."""
    from pathlib import Path

    text = (Path(folder) / f"notes.{lang}.md").read_text(encoding="utf-8")
    try:
        numbers = note_numbers(results) if results else {}
    except KeyError:
        numbers = {}
    return PLACEHOLDER.sub(lambda match: numbers.get(match.group(1), "?"), text)

