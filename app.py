"""ML Demo Gallery: one tab per lecture topic. ``python app.py --help`` lists the options."""
from __future__ import annotations

import argparse
import functools
import inspect
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no phoning home: the class may have no Wi-Fi
# After every event Gradio summed up the last 10,000 with pandas for its monitoring page (which this app never opens):
# in a class of 50 that was a tenth of the time the server held the GIL (bench/load-class-gil.md). Every 500 events,
# over the last 1,000.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "500")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
# Intel MKL (torch's BLAS on x86) keeps the buffers of each matrix product for the thread that made it, for the life
# of that thread, sized by the largest product it met: BERT's output layer (384 x 30,522) over one 89-token sentence
# kept 67 MB, and Gradio's and the heavy lane's worker threads live for the whole lecture. Without MKL's memory
# manager they are freed after each product, at no measurable cost (20 BERT passes: 0.70 s against 0.72 s).
# Read by MKL at its first product: set before torch is imported.
os.environ.setdefault("MKL_DISABLE_FAST_MM", "1")

import gradio as gr  # noqa: E402

from core import export, i18n, models, plots  # noqa: E402
from core.device import (  # noqa: E402
    configure_process,
    describe,
    freeze_start_up_objects,
    heap_usage,
    return_free_memory_every,
    set_device,
    trace_memory_from_now,
    traced_memory,
)
from core.heavy import HEAVY_AT_ONCE, background  # noqa: E402
from core.memo import SESSIONS, memory_report  # noqa: E402
from core.sessions import lean_sessions  # noqa: E402
from core.ui import BADGE_CLEAR_BUTTONS, EMPTY_SLIDER_BOX_JS, Blocks, force_lang  # noqa: E402
from core.uploads import MAX_UPLOAD_MB  # noqa: E402
from demos import load_tabs  # noqa: E402

CSS = """
.gradio-container {max-width: 1400px !important}
.section-title p {font-size: 1.35em; font-weight: 600; margin-top: .8em}
#header-status p, .model-line p {font-size: 0.95em; opacity: .85}
/* The page's header on one line (title, subtitle, device), wrapping on a phone */
#header {align-items: baseline; flex-wrap: wrap; gap: .2em 1.5em}
#header > div {flex: 0 1 auto !important; min-width: 0 !important; width: auto !important}
#header-title h1 {font-size: 1.6em; margin: 0}
#header-subtitle p, #header-status p {margin: 0}
@media (max-width: 640px) {#header-subtitle, #header-status {display: none !important}}
.plot-caption p {font-weight: 600; margin-bottom: -0.4em}
.hub-note p {border-left: 4px solid #2563eb; padding-left: .6em}
/* Presenter mode (--present or ?present=1): the page's header folded away so each tab's point sits higher, larger
   type for the back row (tab names, labels, text), full-contrast text, no timing lines */
body.present #header,
body.present [id$="-timing"] {display: none !important}
/* ...and the controls a lecture's point does not need: model lists and lines, the real-model note, hints, the
   notes (a page opened without ?present=1 has them all) */
body.present .model-line, body.present .model-picker, body.present .hub-note, body.present .hint,
body.present .lecture-notes {display: none !important}
body.present .gradio-container {max-width: none !important; --body-text-color: #000 !important;
  --body-text-color-subdued: #1f2937 !important; --block-label-text-color: #000 !important;
  --block-info-text-color: #111827 !important}
body.present .prose, body.present .prose p, body.present .prose li {font-size: 20px !important;
  line-height: 1.4 !important}
body.present button[role="tab"] {font-size: 21px !important; font-weight: 600}
body.present [data-testid="block-info"], body.present label > span, body.present input, body.present textarea,
body.present button {font-size: 18px !important}
/* Digit grids: the fullscreen button sits in a row above the picture, not over its top-right digit */
.pixel-art .icon-button-wrapper.top-panel {position: static !important; display: flex; justify-content: flex-end;
  margin: 0 0 2px 0 !important}
/* Thumbnail galleries show every item (Gradio's grid keeps 100 px columns and scrolls sideways) */
.thumb-gallery .grid-container {grid-template-columns: repeat(var(--grid-cols), minmax(0, 1fr)) !important;
  grid-template-rows: none !important; grid-auto-rows: auto !important; gap: 6px !important}
.thumb-gallery .grid-wrap {min-height: 0 !important; max-height: none !important; overflow: visible !important}
.thumb-gallery .thumbnail-item {aspect-ratio: 1 / 1; min-width: 0}
.thumb-gallery .thumbnail-item.selected {box-shadow: 0 0 0 4px #f97316 !important}  /* the pick, seen from afar */
/* ...gone once the tab shows something else (a drawing, an upload, another test digit: core.ui.on_gallery_click) */
.thumb-gallery.pick-not-shown .thumbnail-item.selected {--ring-color: transparent !important;
  box-shadow: inset 0 0 0 1px var(--ring-color), var(--shadow-drop) !important;
  border-color: var(--border-color-primary) !important}
@media (max-width: 640px) {.thumb-gallery .grid-container {grid-template-columns: repeat(5, minmax(0, 1fr)) !important}}
/* Result galleries (heat maps): as tall as their rows, no inner scrolling; two per row on a phone */
.panel-gallery .grid-wrap {min-height: 0 !important; max-height: none !important; height: auto !important;
  overflow: visible !important}
.panel-gallery .grid-container {grid-template-rows: none !important; grid-auto-rows: auto !important}
.panel-gallery .thumbnail-item {height: auto !important}
/* ...with their captions under the picture, whole (on the picture they hid its colour bar's end and were cut) */
.panel-gallery .thumbnail-item {aspect-ratio: auto !important; display: flex !important; flex-direction: column;
  overflow: visible !important}
.panel-gallery .thumbnail-item > img {height: auto !important}
.panel-gallery .caption-label {position: static !important; max-width: none !important; white-space: normal !important;
  text-overflow: clip !important; overflow: visible !important; border: none !important; background: none !important;
  text-align: center !important; align-self: center}
@media (max-width: 640px) {.panel-gallery .grid-container {grid-template-columns: repeat(2, minmax(0, 1fr)) !important}}
/* Results tables: numbers never break ("89.7% ± 0.1%"), words do not split mid-word */
.results-table table {word-break: normal !important}
.results-table td, .results-table th {overflow-wrap: normal !important; word-break: keep-all !important}
.results-table td:last-child, .results-table th:last-child {white-space: nowrap}
.results-table {min-height: 8em}
/* Queue position, ETA and progress of heavy jobs: readable from the back of the room */
.meta-text, .meta-text-center, .progress-text, .progress-level-inner {font-size: var(--text-md) !important}
/* On a phone a tab's result column comes before its inputs, so the result is on the first screen */
@media (max-width: 640px) {.results-first {order: -1}}
/* ...and the tab's intro comes after its first row of results and inputs, before the rest */
@media (max-width: 640px) {.tab-intro {order: 1} .tab-intro ~ .row ~ * {order: 2}}
/* An unticked box seen from the back of a lecture hall: a dark 2-px border (the theme's is a faint grey) */
input[type="checkbox"]:not(:checked) {border: 2px solid #4b5563 !important}
/* Results made with other inputs than those on screen (core.ui.mark_stale_js) */
.stale {opacity: .35; filter: grayscale(1); transition: opacity .2s}
/* Pictures shown without buttons: no empty button corner */
.no-buttons .icon-button-wrapper {display: none !important}
/* Wide formulas scroll inside the notes instead of being cut off on a phone */
.katex-display {overflow-x: auto; overflow-y: hidden; padding-bottom: 2px}
"""


def tab_css(tab) -> str:
    """A tab's own styles: ``style.css`` beside its ui.py, if it has one (the page's shared styles are ``CSS``)."""
    path = Path(tab.__file__).with_name("style.css")
    return path.read_text(encoding="utf-8") if path.exists() else ""


def toast_css() -> str:
    """Gradio titles its pop-ups with the English words "Error", "Warning", "Info" whatever the language
    (gr.Error's title is not shown); Chinese pages get the catalog's words instead (Gradio sets <html lang>), and a
    busy server's refusal (``busy_toast_js`` marks it) is titled as such in both languages, not "Error"."""
    rules = ["html:lang(zh) .toast-title, .toast-body.busy .toast-title {font-size: 0 !important}"]
    for kind, key in (("error", "app.error_title"), ("warning", "app.warning_title"), ("info", "app.info_title")):
        rules.append(f'html:lang(zh) .toast-title.{kind}::before {{content: "{i18n.t(key, "zh")}"; '
                     "font-size: var(--text-lg)}")
    rules.append(f'.toast-body.busy .toast-title::before {{content: "{i18n.t("app.busy_title", "en")}"; '
                 "font-size: var(--text-lg)}")
    rules.append(f'html:lang(zh) .toast-body.busy .toast-title::before {{content: "{i18n.t("app.busy_title", "zh")}"}}')
    return "\n".join(rules)


#: Gradio's cache of the files the page shows and the files students upload: every CACHE_EVERY seconds, those not
#: handed out for CACHE_KEEP seconds (a long lecture) go. Without it a class of 50 left ~220 MB per 12 minutes, never
#: removed while the app ran; a file handed out again is touched by Gradio and kept, the examples are never removed.
CACHE_EVERY, CACHE_KEEP = 1800, 3 * 3600
#: On a phone Gradio hides the footer's API link but not the dot after it ("· Settings"). The footer is outside
#: the container Gradio scopes a page's css to, so this rule goes into the document's head (``page_css_js``).
FOOTER_CSS = "@media (max-width: 640px) {footer > div.divider:first-of-type {display: none !important}}"


def page_css_js(css: str) -> str:
    """Browser code that adds ``css`` to the document's head, outside Gradio's scoping of the page's css."""
    return (f"() => {{ const style = document.createElement('style'); style.textContent = {json.dumps(css)}; "
            "document.head.appendChild(style); }")


def busy_toast_js() -> str:
    """Marks a busy server's pop-up (its message begins as ``app.busy`` does in either language) with the class
    ``busy``, for ``toast_css`` to title it, and takes Gradio's red "Error" badge off the refused click's outputs
    (their status trackers' own clear button): nothing is wrong with what they showed, and the badge hid it."""
    starts = [i18n.t("app.busy", lang).split("{")[0].strip() for lang in i18n.LANGS]
    return f"""() => {{
        if (window.__busyToasts) return;
        window.__busyToasts = true;
        const starts = {json.dumps(starts, ensure_ascii=False)};
        let busySince = -Infinity;
        const mark = () => {{
            document.querySelectorAll("[data-testid='toast-body']:not(.busy)").forEach((node) => {{
                const text = (node.querySelector("[data-testid='toast-text']") || node).textContent.trim();
                if (starts.some((start) => text.startsWith(start))) {{
                    node.classList.add('busy');
                    busySince = performance.now();
                }}
            }});
            if (performance.now() - busySince < 2000)
                document.querySelectorAll({json.dumps(BADGE_CLEAR_BUTTONS)})
                    .forEach((button) => button.click());
        }};
        new MutationObserver(mark).observe(document.body, {{childList: true, subtree: true, attributes: true,
                                                            attributeFilter: ['class']}});
    }}"""


def make_i18n(lang: str | None = None) -> gr.I18n:
    """Both languages for every browser; ``lang`` forces one language for every locale."""
    table = i18n.catalog()
    english, chinese = table["en"], table["zh"]
    if lang == "zh":
        english = chinese
    elif lang == "en":
        chinese = english
    return gr.I18n(**{"en": english, "zh-TW": chinese, "zh-HK": chinese, "zh": chinese})


def chinese_page_js() -> str:
    """On a Chinese page, Gradio's English that its i18n does not reach is rewritten in the browser, as it appears:
    the queue status words ("queue: 2/5 | 1.2/3.0s", "processing |": the numbers kept) in text, and the hard-coded
    tooltips, screen-reader labels (the charts' too) and the upload toast (i18n.GRADIO_HARD_CODED_ZH) in text and in
    title, aria-label, aria-roledescription and placeholder attributes. ``window.__chineseWords`` is the rewrite, for
    the tests."""
    words = {"queue:": i18n.t("app.queue", "zh"), "processing": i18n.t("app.processing", "zh")}
    return f"""() => {{
        if (!document.documentElement.lang.startsWith('zh') || window.__chineseWords) return;
        const words = {json.dumps(words, ensure_ascii=False)};
        const whole = {json.dumps(i18n.GRADIO_HARD_CODED_ZH, ensure_ascii=False)};
        const compiled = (pairs) => pairs.map(([pattern, chinese]) => [new RegExp(pattern), chinese]);
        const textPatterns = compiled({json.dumps(i18n.GRADIO_HARD_CODED_ZH_TEXT_PATTERNS, ensure_ascii=False)});
        const attributePatterns = compiled({json.dumps(i18n.GRADIO_HARD_CODED_ZH_PATTERNS, ensure_ascii=False)})
            .concat(textPatterns);
        // In text only the status words and the upload toast: a page's text may hold a user's own English words.
        const rewrite = (value, inText = false) => {{
            const bare = value.trim();
            if (!inText && whole[bare]) return value.replace(bare, whole[bare]);
            for (const [pattern, chinese] of inText ? textPatterns : attributePatterns) {{
                value = value.replace(pattern, chinese);
            }}
            if (inText) for (const [english, chinese] of Object.entries(words)) value = value.replace(english, chinese);
            return value;
        }};
        window.__chineseWords = rewrite;
        const attributes = ['title', 'aria-label', 'aria-roledescription', 'placeholder'];
        const named = attributes.map((name) => '[' + name + ']').join(',');  // an element with any of them
        const fixText = (node) => {{
            if (node.nodeValue && /[A-Za-z]/.test(node.nodeValue)) {{
                const fixed = rewrite(node.nodeValue, true);
                if (fixed !== node.nodeValue) node.nodeValue = fixed;
            }}
        }};
        const fixElement = (element) => {{
            for (const name of attributes) {{
                const value = element.getAttribute && element.getAttribute(name);
                if (value && /[A-Za-z]/.test(value)) {{
                    const fixed = rewrite(value);
                    if (fixed !== value) element.setAttribute(name, fixed);
                }}
            }}
        }};
        const fixTree = (root) => {{
            if (root.nodeType === Node.TEXT_NODE) return fixText(root);
            if (root.nodeType !== Node.ELEMENT_NODE) return;
            fixElement(root);
            for (const element of root.querySelectorAll(named)) fixElement(element);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) fixText(walker.currentNode);
        }};
        fixTree(document.body);
        new MutationObserver((changes) => {{
            for (const change of changes) {{
                if (change.type === 'characterData') fixText(change.target);
                else if (change.type === 'attributes') fixElement(change.target);
                for (const added of change.addedNodes || []) fixTree(added);
            }}
        }}).observe(document.body, {{subtree: true, childList: true, characterData: true, attributes: true,
                                     attributeFilter: attributes}});
    }}"""


def opened_tab(topics: list[str]):
    """Slide links: the page's load event opens the tab a link names (``?tab=gan``); any other value, or none,
    leaves the first tab open."""
    def open_tab(request: gr.Request):
        wanted = request.query_params.get("tab") if request is not None else None
        return gr.Tabs(selected=wanted) if wanted in topics else gr.Tabs()
    return open_tab


def preset_link_js(presets: dict[str, dict[str, str]]) -> str:
    """Slide links: ``?tab=gan&preset=collapse`` presses that tab's preset button (a tab's ``PRESETS``) as soon as
    the tab is open and the button shows, within a minute; an unknown preset does nothing."""
    return f"""() => {{
        const query = new URLSearchParams(window.location.search);
        const id = ({json.dumps(presets)}[query.get('tab')] || {{}})[query.get('preset')];
        if (!id) return;
        let tries = 0;
        const timer = setInterval(() => {{
            const button = document.getElementById(id);
            if (button && button.offsetParent !== null) {{ clearInterval(timer); button.click(); }}
            else if (++tries > 240) clearInterval(timer);
        }}, 250);
    }}"""


def present_js(always: bool) -> str:
    """Presenter mode: on for every page (``--present``) or for a page opened with ``?present=1``."""
    return (f"() => {{ if ({json.dumps(always)} || new URLSearchParams(window.location.search).get('present') "
            "=== '1') document.body.classList.add('present'); }")


def build_app(lang: str | None = None, present: bool = False) -> tuple[gr.Blocks, dict]:
    """The Blocks and the keyword arguments ``launch()`` needs (theme, css, i18n, file limits). ``present``:
    presenter mode on every page."""
    force_lang(lang)
    configure_process()
    return_free_memory_every()
    lean_sessions()  # a page load no longer copies the page's config: 0.2 s of CPU and 0.9 MB per session
    export.write_gradio_cache_once()
    tabs = load_tabs()
    # Strings known only now (the device, the models each tab picked) are registered while the page is
    # built, so the translations handed to launch() are collected after building it.
    i18n.register({code: {"app.device": i18n.t("app.running_on", code, device=describe(lang=code))}
                   for code in i18n.LANGS})
    keys = gr.I18n()
    with Blocks(title=i18n.t("app.page_title", lang or "en"), delete_cache=(CACHE_EVERY, CACHE_KEEP)) as demo:
        # The browser tab's title follows the page's language (Gradio sets <html lang>).
        demo.load(None, js=f"() => {{ if (document.documentElement.lang.startsWith('zh')) "
                           f"document.title = {json.dumps(i18n.t('app.page_title', 'zh'))}; }}")
        demo.load(None, js=chinese_page_js())
        demo.load(None, js=busy_toast_js())
        demo.load(None, js=EMPTY_SLIDER_BOX_JS)
        demo.load(None, js=page_css_js(FOOTER_CSS))
        demo.load(None, js=present_js(present))
        with gr.Row(elem_id="header"):  # one line: every pixel of a 720-px projector goes to the tabs
            gr.Markdown(keys("app.title"), elem_id="header-title")
            gr.Markdown(keys("app.subtitle"), elem_id="header-subtitle")
            gr.Markdown(keys("app.device"), elem_id="header-status")
        with gr.Tabs(overflow_behavior="wrap") as tab_row:  # every tab visible on a phone, on two rows
            for tab in tabs:
                tab.build_tab(keys, demo)
        demo.load(opened_tab([tab.TOPIC for tab in tabs]), None, tab_row, api_name="app_open_tab",
                  api_visibility="private", show_progress="hidden")
        demo.load(None, js=preset_link_js({tab.TOPIC: getattr(tab, "PRESETS", {}) for tab in tabs}))
    demo.queue(default_concurrency_limit=4, max_size=256)
    translations = make_i18n(lang)
    theme = gr.themes.Soft(text_size=gr.themes.sizes.text_lg, font=["system-ui", "sans-serif"],
                           font_mono=["ui-monospace", "monospace"])  # system fonts: nothing fetched online
    css = CSS + "".join(tab_css(tab) for tab in tabs) + toast_css()
    # Every heavy job let in holds one of Gradio's worker threads while it waits for its turns: the light events
    # keep Gradio's default 40 beside them.
    launch_kwargs = dict(i18n=translations, theme=theme, css=css, max_file_size=f"{MAX_UPLOAD_MB}mb",
                         allowed_paths=[], ssr_mode=False, show_error=True, footer_links=["api", "settings"],
                         max_threads=40 + HEAVY_AT_ONCE, state_session_capacity=SESSIONS)
    return demo, launch_kwargs


def name_tools_after_endpoints(demo: gr.Blocks) -> None:
    """For ``--mcp``: Gradio names an MCP tool after its Python function, so an agent would see three tabs' ``pick``
    as pick, pick_1 and pick_2. Each public action's tool is named after its endpoint instead (``saliency_pick``)."""
    for block_fn in demo.fns.values():
        if block_fn.fn is None or block_fn.api_visibility != "public" or block_fn.fn.__name__ == block_fn.api_name:
            continue
        block_fn.fn = _renamed(block_fn.fn, block_fn.api_name)


def _renamed(fn, name: str):
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            return (yield from fn(*args, **kwargs))
    else:
        @functools.wraps(fn)
        def call(*args, **kwargs):
            return fn(*args, **kwargs)
    call.__name__ = call.__qualname__ = name
    return call


#: The modules imported when the warm-up ended (empty before): a module a class imports later costs its first
#: student the import and stays in memory for good.
MODULES_AT_WARM: set[str] = set()

#: The log line that ends the warm-up (``python -m bench.load --class --after-warm-up`` waits for it).
WARM_UP_DONE = "every warm-up done"


def warm_up_in_background() -> threading.Thread:
    """The tabs' warm-ups, one after the other, in a thread of their own that takes heavy turns
    (``core.heavy.background``): a class that arrives at launch gets its first steps first."""
    log = logging.getLogger("mldemo")

    def run():
        began = time.monotonic()
        for tab in load_tabs():
            if hasattr(tab, "warm_up"):
                started = time.monotonic()
                try:
                    with background(f"warm-up {tab.TOPIC}"):
                        tab.warm_up()
                except Exception:  # a failed warm-up only means the first click is slower
                    log.exception("warm-up of %s failed", tab.TOPIC)
                else:
                    log.info("warm-up of %s: %.1f s", tab.TOPIC, time.monotonic() - started)
        plots.to_rgb(plots.new_figure(1, 1)[0])  # matplotlib's Agg backend, which every tab draws with (41 modules)
        frozen = freeze_start_up_objects()  # full collections skip the start's objects from now on
        MODULES_AT_WARM.update(sys.modules)  # the memory report names what a class imported after it
        if trace_memory_from_now():  # DEMO_TRACE_MEMORY: the memory report says where what a class keeps was made
            log.info("tracing memory from now (DEMO_TRACE_MEMORY)")
        log.info("%s: %.1f s (%d objects frozen)", WARM_UP_DONE, time.monotonic() - began, frozen)

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


def memory_lines(demo: gr.Blocks) -> list[str]:
    """What the server's memory holds that it can name: its RSS, the browser sessions Gradio keeps a state for, and
    every memo and session store with its entries and arrays (``core.memo.memory_report``)."""
    try:
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        rss = float("nan")
    holder = getattr(demo, "state_holder", None)
    rows = memory_report()
    lines = [f"memory: RSS {rss:.0f} MB; Gradio keeps {len(getattr(holder, 'session_data', ()))} sessions; memos "
             f"hold {sum(row[2] for row in rows) / 2**20:.1f} MB of arrays in {sum(row[1] for row in rows)} entries"]
    heap = heap_usage()
    if heap is not None:  # what of the RSS malloc holds for live objects, what it keeps freed, and the rest
        lines.append(f"memory: malloc: {heap['in_use']:.0f} MB in use ({heap['mmapped']:.0f} MB of it in blocks "
                     f"mapped on their own); the other {rss - heap['in_use']:.0f} MB of the RSS: freed pages not "
                     f"given back yet, code, stacks, kernels, files; freed chunks in the heap {heap['free']:.0f} MB "
                     f"(trimmed pages included); {sys.getallocatedblocks()} Python blocks, "
                     f"{threading.active_count()} threads")
    lines += [f"memory:   {where}: {entries} entries, {size / 2**20:.1f} MB"
              for where, entries, size in rows if entries]
    if MODULES_AT_WARM:
        later = sorted(set(sys.modules) - MODULES_AT_WARM)
        packages = sorted({name.split(".")[0] for name in later})
        lines.append(f"memory: {len(later)} modules imported since the warm-up" +
                     (f", from {', '.join(packages)}: {', '.join(later[:40])}" if later else ""))
    lines += [f"memory: traced {where}: {mb} MB in {count} blocks" for where, mb, count in traced_memory()]
    return lines


def log_memory_on_signal(demo: gr.Blocks) -> None:
    """``kill -USR1 <pid>`` (bench.load sends it at each rest of a class): ``memory_lines`` go to the log, from a
    thread of their own (a signal handler must not wait for the log's lock)."""
    if not hasattr(signal, "SIGUSR1"):
        return
    log = logging.getLogger("mldemo")

    def report(*_):
        threading.Thread(target=lambda: [log.info(line) for line in memory_lines(demo)], name="memory-report",
                         daemon=True).start()
    signal.signal(signal.SIGUSR1, report)


def add_cyclegan_generators(entries: list[str]) -> None:
    """--cyclegan G.pth[,F.pth]: the CycleGAN tab reads DEMO_CYCLEGAN when it declares its models (on import)."""
    if entries:
        os.environ["DEMO_CYCLEGAN"] = os.pathsep.join(filter(None, [os.environ.get("DEMO_CYCLEGAN"), *entries]))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="ML Demo Gallery: Hung-yi Lee's ML lectures, one tab per topic.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)),
                        help="port to serve on (default 7860)")
    parser.add_argument("--share", action="store_true", help="also make a public *.gradio.live link (off by default)")
    parser.add_argument("--device", choices=["cuda", "mps", "cpu"], default=None,
                        help="force a device (default: cuda > mps > cpu; env DEMO_DEVICE also works)")
    parser.add_argument("--lang", choices=list(i18n.LANGS), default=None,
                        help="force the UI language (default: each browser's own; en or zh = Traditional Chinese)")
    parser.add_argument("--offline", action="store_true",
                        help="never touch the network: use bundled models and Hub models already downloaded")
    parser.add_argument("--prefetch", action="store_true",
                        help="download every Hub model choice ahead of a class, then exit")
    parser.add_argument("--cyclegan", action="append", default=[], metavar="G.pth[,F.pth]",
                        help="a CycleGAN generator file (e.g. an official latest_net_G.pth), or two: G and F, for the "
                             "CycleGAN tab's model list (repeatable; env DEMO_CYCLEGAN also works)")
    parser.add_argument("--mcp", action="store_true",
                        help="also serve every public action as an MCP tool, so an LLM agent can call it "
                             "(at /gradio_api/mcp/; the tool list: /gradio_api/mcp/schema)")
    parser.add_argument("--present", action="store_true",
                        help="presenter mode on every page: larger type, full contrast, no timing lines (one page "
                             "alone: open it with ?present=1)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        set_device(args.device)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.offline:
        models.set_offline(True)
    add_cyclegan_generators(args.cyclegan)
    if args.prefetch:
        load_tabs()  # registers every topic's model choices
        failures = models.prefetch_all()
        return 1 if failures else 0
    demo, launch_kwargs = build_app(args.lang, args.present)
    if args.mcp:
        name_tools_after_endpoints(demo)
    log_memory_on_signal(demo)
    warm_up_in_background()
    models.download_on_space(report=logging.getLogger("mldemo").info)  # a Hugging Face Space: the real models
    demo.launch(server_port=args.port, share=args.share, mcp_server=args.mcp, **launch_kwargs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
