"""Rebuild assets/data/photos_eval/ (the JPEGs and labels.tsv) from the unpacked packages.

Usage (see README.md for fetching the packages):
    TUXPAINT_ROOT=/tmp/deb/x/tuxpaint-stamps-default SKIMAGE_ROOT=/tmp/skw python build.py

Images were chosen by looking at them (content only); no model is involved here.
"""

import os
import sys

from PIL import Image

TP = os.environ.get("TUXPAINT_ROOT", "/tmp/deb/x/tuxpaint-stamps-default")  # dpkg-deb -x target
SK = os.environ.get("SKIMAGE_ROOT", "/tmp/skw")  # folder holding the unzipped skimage/ package
TPPKG = "tuxpaint-stamps-default 2022.06.04-1 (Debian 12 bookworm, main)"
TPLIC = (
    "GPL-2+ (debian/copyright of tuxpaint-stamps-default: Files: *, Copyright 2002-2022 Bill Kendrick,"
    " GPL version 2 or any later version)"
)
SKPKG = (
    "scikit-image 0.26.0 (PyPI wheel scikit_image-0.26.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl)"
)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = HERE
classes = {}
for line in open(os.path.join(HERE, "..", "imagenet_classes.tsv")):
    if line.startswith("#"):
        continue
    i, _wnid, s, _lemmas = line.rstrip("\n").split("\t")
    classes[int(i)] = s
S = "usr/share/tuxpaint/stamps/"
items = [  # (short name for file, class indices, source kind, path)
    ("cock", [7], "tp", S + "animals/birds/rooster.png"),
    ("hen", [8], "tp", S + "animals/birds/hen.png"),
    ("peacock", [84], "tp", S + "animals/birds/peacock.png"),
    ("pelican", [144], "tp", S + "animals/birds/pelican.png"),
    ("flamingo", [130], "tp", S + "animals/birds/pink_flamingo.png"),
    ("crane-bird", [134], "tp", S + "animals/birds/crowned_crane.png"),
    ("chimpanzee", [367], "tp", S + "animals/mammals/apes/chimp.png"),
    ("otter", [360], "tp", S + "animals/mammals/aquatic/otter.png"),
    ("sea-lion", [150], "tp", S + "animals/mammals/aquatic/sea_lion.png"),
    ("brown-bear", [294], "tp", S + "animals/mammals/bears/bear.png"),
    ("zebra", [340], "tp", S + "animals/mammals/equines/zebra.png"),
    ("african-elephant", [386, 101], "tp", S + "animals/mammals/elephant.png"),
    ("arabian-camel", [354], "tp", S + "animals/mammals/camel/dromedary.png"),
    ("red-fox", [277], "tp", S + "animals/mammals/dogs/fox.png"),
    ("koala", [105], "tp", S + "animals/marsupials/koala.png"),
    ("tiger", [292], "tp", S + "animals/mammals/cats/tiger.png"),
    ("ram", [348], "tp", S + "animals/mammals/bovines/ram.png"),
    ("lionfish", [396], "tp", S + "animals/fish/lionfish.png"),
    ("spiny-lobster", [123], "tp", S + "animals/fish/lobster.png"),
    ("mantis", [315], "tp", S + "animals/insects/mantis.png"),
    ("slug", [114], "tp", S + "animals/insects/Brown_slug.png"),
    ("isopod", [126], "tp", S + "animals/insects/Woodlouse.png"),
    ("strawberry", [949], "tp", S + "food/fruit/Strawberry2.png"),
    ("custard-apple", [956], "tp", S + "food/fruit/cherimoya.png"),
    ("broccoli", [937], "tp", S + "food/vegetables/broccoli.png"),
    ("corn", [987, 998], "tp", S + "food/vegetables/corn.png"),
    ("bolete", [997, 947], "tp", S + "plants/mushrooms/cep.png"),
    ("cornet", [513], "tp", S + "hobbies/music/brass/trumpet.png"),
    ("drum", [541], "tp", S + "hobbies/music/percussion/drum_tomtom_floor.png"),
    ("violin", [889], "tp", S + "hobbies/music/string/violin.png"),
    ("acoustic-guitar", [402], "tp", S + "hobbies/music/string/guitar_classical.png"),
    ("electric-guitar", [546], "tp", S + "hobbies/music/string/guitar_electric.png"),
    ("binoculars", [447], "tp", S + "hobbies/binoculars.png"),
    ("reflex-camera", [759], "tp", S + "hobbies/camera_35mm.png"),
    ("hammer", [587], "tp", S + "household/tools/hammer.png"),
    ("shovel", [792], "tp", S + "household/tools/spade.png"),
    ("stethoscope", [823], "tp", S + "medical/stethoscope.png"),
    ("syringe", [845], "tp", S + "medical/syringe.png"),
    ("soccer-ball", [805], "tp", S + "sports/soccer.png"),
    ("candle", [470], "tp", S + "seasonal/candle.png"),
    ("teddy", [850], "tp", S + "animals/mammals/bears/toys/edward_bear.png"),
    ("fire-engine", [555], "tp", S + "vehicles/emergency/firetruck.png"),
    ("garbage-truck", [569], "tp", S + "vehicles/garbagetruck.png"),
    ("balloon", [417], "tp", S + "vehicles/flight/balloon360.png"),
    ("airliner", [404], "tp", S + "vehicles/flight/planes/747.png"),
    ("racer", [751], "tp", S + "vehicles/race/indycar.png"),
    ("tank", [847], "tp", S + "military/vehicles/bradley.png"),
    ("warplane", [895], "tp", S + "military/vehicles/f22_raptor.png"),
    ("tabby-cat", [281, 282, 285], "sk", "skimage/data/chelsea.png"),
    ("espresso", [967, 968], "sk", "skimage/data/coffee.png"),
]
sel = set(sys.argv[1:])
if sel:
    items = [it for it in items if it[0] in sel]
rows = []
for n, (name, idx, kind, path) in enumerate(items, 1):
    src = os.path.join(TP if kind == "tp" else SK, path)
    im = Image.open(src)
    if kind == "tp":
        im = im.convert("RGBA")
        bb = im.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
        im = im.crop(bb)
        w, h = im.size
        m = round(0.08 * max(w, h))
        # a square white canvas with an 8 % margin: the whole object survives a centre-square crop
        W = H = max(w, h) + 2 * m
        bg = Image.new("RGBA", (W, H), (255, 255, 255, 255))
        bg.alpha_composite(im, ((W - w) // 2, (H - h) // 2))
        im = bg.convert("RGB")
    else:
        im = im.convert("RGB")
    w, h = im.size
    s = 256 / min(w, h)
    im = im.resize((round(w * s), round(h * s)), Image.LANCZOS)
    fn = f"{n:02d}-{name}.jpg"
    im.save(os.path.join(OUT, fn), quality=92)
    origsize = Image.open(src).size
    if kind == "tp":
        source = f"{TPPKG}: /{path}"
        lic = TPLIC
    else:
        source = f"{SKPKG}: {path}"
        lic = {
            "tabby-cat": "CC0 (photographer Stefan van der Walt; skimage.data.chelsea docstring, scikit-image 0.26.0)",
            "espresso": (
                "CC0 (photographer Rachel Michetti, courtesy of Pikolo Espresso Bar;"
                " skimage.data.coffee docstring, scikit-image 0.26.0)"
            ),
        }[name]
    rows.append(
        [fn, "|".join(map(str, idx)), "|".join(classes[i] for i in idx), source, lic, f"{origsize[0]}x{origsize[1]}"]
    )
    print(fn, origsize, "->", im.size)
if not sel:
    with open(os.path.join(OUT, "labels.tsv"), "w") as f:
        f.write("file\tclass_indices\tclass_names\tsource\tlicence\n")
        for r in rows:
            f.write("\t".join(r[:5]) + "\n")
