"""Makes assets/data/imagenet_classes_zh.tsv, the Traditional Chinese (Taiwan) names of the 1,000 ImageNet classes,
and its card (imagenet_classes_zh.card.json). Run by hand, never by CI:

    pip download cn-clip==1.6.0 --no-deps -d /tmp/cnclip
    python -m demos.saliency.make_zh_names /tmp/cnclip/cn_clip-1.6.0-py3-none-any.whl

Source: the wheel of Chinese-CLIP (PyPI ``cn-clip`` 1.6.0, OFA-Sys, MIT), whose
``cn_clip/eval/imagenet_zeroshot_templates.py`` lists the classes in Simplified Chinese, in the standard index order
(translations taken by Chinese-CLIP from MindSpore's Wukong, Apache-2.0). The list is read with ``ast`` (none of
the package's code runs), converted with OpenCC's ``s2twp`` (Taiwan characters and phrases), then corrected by
``REVIEWED``: every name was read here next to its WordNet synset (assets/data/imagenet_classes.tsv) and replaced
where it named another thing (e.g. 282 tiger cat: 山貓 is a wild cat, the synset a striped house cat), where
OpenCC's phrase table broke it (172 惠比特犬 -> 惠位元犬), or where Taiwan says it otherwise (105 無尾熊, not 考拉).
An empty name means no good Chinese name: the page shows the English alone.
"""
from __future__ import annotations

import ast
import hashlib
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "assets" / "data" / "imagenet_classes.tsv"
OUTPUT = ROOT / "assets" / "data" / "imagenet_classes_zh.tsv"
CARD = ROOT / "assets" / "data" / "imagenet_classes_zh.card.json"
WHEEL_NAME = "cn_clip-1.6.0-py3-none-any.whl"
WHEEL_SHA256 = "1129e296d707a39450eb5e761903cfa3db89dd74a9ddfbd69f0d80c027046e75"
MEMBER = "cn_clip/eval/imagenet_zeroshot_templates.py"
LICENSE_COMMIT = "31863c707501bf1605d36842f43deb78793dbc5d"  # github.com/OFA-Sys/Chinese-CLIP, MIT-LICENSE.txt
#: Chinese-CLIP's MIT-LICENSE.txt at LICENSE_COMMIT (the wheel carries no licence file), shipped in the card.
LICENSE_TEXT = "\n".join([
    'Copyright (c) 2022-2023 OFA-Sys Team',
    '',
    'Copyright (c) 2012-2022 Gabriel Ilharco, Mitchell Wortsman, Nicholas Carlini, Rohan Taori, '
    'Achal Dave, Vaishaal Shankar, John Miller, Hongseok Namkoong, Hannaneh Hajishirzi, Ali Farhadi, Ludwig Schmidt',
    '',
    'Permission is hereby granted, free of charge, to any person obtaining',
    'a copy of this software and associated documentation files (the',
    '"Software"), to deal in the Software without restriction, including',
    'without limitation the rights to use, copy, modify, merge, publish,',
    'distribute, sublicense, and/or sell copies of the Software, and to',
    'permit persons to whom the Software is furnished to do so, subject to',
    'the following conditions:',
    '',
    'The above copyright notice and this permission notice shall be',
    'included in all copies or substantial portions of the Software.',
    '',
    'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,',
    'EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF',
    'MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND',
    'NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE',
    'LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION',
    'OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION',
    'WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.',
    '',
])
DOGS = range(151, 269)  # in Taiwan a terrier is 㹴, not 梗

#: Reviewed corrections, by class index ("" = no good name: English alone). Why, in short: a wrong thing named (W),
#: Taiwan usage (T), OpenCC or the source's own glitch (G), a gloss or alternatives cut to one name (C).
REVIEWED = {
    15: "美洲知更鳥",  # W robin (藍鵐 is a bunting)
    16: "鵯",  # W bulbul (夜鶯 is a nightingale)
    21: "鳶", 22: "白頭海鵰", 24: "烏林鴞", 27: "蠑螈幼體", 29: "六角恐龍",  # C T T C W axolotl
    33: "赤蠵龜", 34: "革龜", 39: "綠鬣蜥", 40: "綠安樂蜥", 42: "飛蜥", 43: "傘蜥", 45: "吉拉毒蜥",
    48: "科摩多龍", 49: "尼羅鱷", 50: "美國短吻鱷",
    52: "蠕蛇", 53: "環頸蛇", 54: "豬鼻蛇", 56: "王蛇", 61: "紅尾蚺", 62: "非洲岩蟒", 66: "角蝰",  # W: 雷蛇 环蛇 希腊蛇
    72: "金黃園蛛", 74: "十字園蛛", 76: "捕鳥蛛", 77: "狼蛛",  # W: tarantula vs wolf spider were swapped
    81: "雷鳥", 82: "披肩榛雞", 83: "草原松雞", 89: "葵花鳳頭鸚鵡", 90: "吸蜜鸚鵡", 91: "鴉鵑",
    92: "蜂虎", 96: "巨嘴鳥", 97: "公鴨",  # W drake = the male duck (野鴨 is any wild duck)
    101: "長牙象", 102: "針鼴", 105: "無尾熊", 110: "扁蟲", 114: "蛞蝓", 115: "海蛞蝓",  # W 海參 is a sea cucumber
    123: "刺龍蝦", 126: "等足目動物",
    129: "琵鷺", 130: "紅鶴", 132: "大白鷺", 133: "鳽", 134: "鶴",  # W spoonbill; 134 crane the bird
    136: "紫水雞", 137: "美洲白骨頂", 140: "黑腹濱鷸", 148: "虎鯨", 149: "儒艮",  # W dugong (海牛 is a manatee)
    152: "日本狆", 154: "北京犬", 157: "蝴蝶犬", 158: "玩具㹴", 159: "羅德西亞脊背犬", 163: "尋血獵犬",
    164: "藍斑獵浣熊犬", 168: "紅骨獵浣熊犬", 172: "惠比特犬", 173: "伊比莎獵犬", 174: "挪威獵麋犬",
    175: "水獺獵犬", 176: "薩路基獵犬", 187: "約克夏㹴", 193: "澳洲㹴", 195: "波士頓㹴",
    207: "黃金獵犬", 208: "拉布拉多犬", 215: "布列塔尼獵犬", 216: "克倫伯獵犬",  # W clumber (黃毛 "yellow hair")
    222: "庫瓦茲犬", 224: "格羅安達犬", 225: "馬利諾犬", 228: "可蒙犬", 231: "柯利牧羊犬", 234: "羅威納犬",
    236: "杜賓犬", 237: "迷你杜賓犬", 242: "拳師犬", 247: "聖伯納犬", 250: "西伯利亞哈士奇", 251: "大麥町",
    252: "艾芬品犬", 253: "巴仙吉犬", 254: "巴哥犬", 255: "萊昂貝格犬", 260: "鬆獅犬",
    263: "潘布魯克威爾斯柯基犬", 264: "卡迪根威爾斯柯基犬",  # 264 Cardigan the dog (474 is the sweater)
    270: "北極狼", 271: "紅狼", 272: "郊狼", 275: "非洲野犬",  # W 红太狼 is a cartoon wolf; coyote
    277: "紅狐", 278: "敏狐", 279: "北極狐", 280: "灰狐",
    282: "虎紋貓",  # W tiger cat = a house cat with a striped coat (WordNet), not 山貓
    288: "花豹", 290: "美洲豹", 296: "北極熊", 299: "狐獴",
    302: "步行蟲", 304: "金花蟲", 305: "糞金龜", 306: "獨角仙", 307: "象鼻蟲",  # W 土鳖虫 is a cockroach; leaf beetle
    322: "眼蝶", 323: "帝王斑蝶", 324: "紋白蝶", 325: "黃蝶", 329: "海參",
    330: "棉尾兔", 331: "野兔", 334: "豪豬", 335: "狐松鼠",  # W porcupine (刺蝟 is a hedgehog)
    350: "羱羊", 354: "單峰駱駝", 355: "駱馬", 358: "歐洲鼬", 364: "三趾樹懶", 365: "紅毛猩猩",
    369: "合趾猿", 373: "獼猴", 374: "葉猴", 377: "狨猴", 383: "環尾狐猴", 385: "亞洲象", 388: "大貓熊",
    399: "阿拉伯長袍", 402: "木吉他", 409: "指針時鐘", 410: "養蜂場", 413: "突擊步槍", 414: "背包",
    418: "原子筆", 419: "OK繃", 423: "理髮椅", 425: "穀倉", 426: "氣壓計", 427: "木桶", 428: "手推車",
    431: "嬰兒提籃", 432: "低音管", 434: "浴巾", 436: "旅行車", 442: "鐘樓", 443: "圍兜", 444: "協力車",
    446: "活頁夾", 450: "有舵雪橇", 451: "波洛領帶", 453: "書櫃", 456: "弓", 457: "領結", 458: "紀念牌匾",
    459: "胸罩", 461: "護胸甲", 466: "子彈列車", 473: "開罐器",
    474: "開襟毛衣",  # the sweater (264 is the dog)
    475: "後照鏡", 477: "工具組", 480: "自動提款機", 481: "錄音帶", 482: "卡式錄音機", 485: "CD 播放機",
    487: "手機", 489: "鐵絲網圍籬", 490: "鎖子甲", 493: "五斗櫃", 494: "管鐘", 495: "瓷器櫃", 500: "崖居",
    503: "調酒器", 504: "馬克杯", 506: "螺旋", 509: "糖果店", 510: "貨櫃船", 512: "軟木塞開瓶器",
    517: "起重機",  # crane the machine (134 is the bird)
    518: "安全帽", 520: "嬰兒床", 521: "慢燉鍋", 525: "水壩", 527: "桌上型電腦", 528: "撥盤電話",
    529: "尿布", 530: "數位時鐘", 531: "數位手錶", 532: "餐桌", 535: "碟式煞車", 540: "鑽油平臺",
    542: "鼓棒", 544: "荷蘭鍋", 550: "義式咖啡機", 551: "蜜粉", 552: "羽毛圍巾", 553: "檔案櫃",
    556: "壁爐屏風", 557: "旗桿", 560: "美式足球頭盔", 561: "堆高機", 564: "四柱床", 565: "貨運車廂",
    566: "法國號", 568: "皮草大衣", 571: "加油機", 576: "貢多拉船", 579: "平臺鋼琴", 581: "水箱護罩",
    584: "髮夾", 585: "髮膠", 586: "半履帶車", 588: "有蓋提籃", 589: "吹風機", 590: "掌上型電腦",
    598: "家庭劇院", 599: "蜂巢", 600: "鉤子", 601: "裙撐", 610: "T恤", 613: "搖桿", 616: "繩結",
    617: "實驗衣", 618: "湯勺", 620: "筆記型電腦", 623: "拆信刀", 626: "打火機", 628: "遠洋郵輪",
    629: "口紅", 630: "樂福鞋", 631: "乳液", 633: "珠寶放大鏡", 635: "指南針",
    638: "舞蹈緊身衣",  # maillot n03710637: tights for dancers or gymnasts
    639: "連身泳衣",  # maillot, tank suit n03710721: a woman's one-piece bathing suit
    640: "人孔蓋", 641: "沙鈴", 642: "馬林巴琴", 643: "面具",  # W mask (面膜 is a face pack)
    645: "五月柱", 648: "藥櫃", 652: "軍服", 653: "牛奶罐", 654: "小巴", 656: "廂型車", 657: "飛彈",
    659: "攪拌碗", 660: "活動房屋", 662: "數據機", 665: "輕型機車",
    666: "研缽", 667: "學士帽",  # W mortar = the bowl ground with a pestle (砂漿 is building mortar)
    670: "速克達", 671: "登山車", 676: "嘴套", 677: "釘子", 678: "護頸", 680: "奶嘴",
    681: "筆記型電腦",  # W notebook computer (平板電腦 is a tablet)
    684: "陶笛", 686: "機油濾清器", 687: "管風琴", 692: "小包", 704: "停車計時器", 705: "客車車廂",
    707: "公共電話", 710: "削鉛筆機", 711: "香水", 716: "尖樁籬笆", 717: "皮卡貨車",
    718: "棧橋", 719: "撲滿", 722: "桌球", 726: "刨刀", 729: "碗盤架", 730: "犁", 731: "馬桶吸把",
    732: "拍立得相機", 733: "桿子", 735: "斗篷雨衣", 736: "撞球桌", 737: "汽水瓶", 739: "拉坯機",
    741: "禮拜毯", 744: "砲彈", 745: "投影機", 748: "錢包", 749: "羽毛筆", 753: "暖氣片",
    755: "電波望遠鏡", 757: "露營車", 758: "捲線器", 759: "單眼相機", 766: "烤肉架", 767: "橡皮擦",
    769: "尺", 770: "跑鞋", 773: "鹽罐", 776: "薩克斯風", 778: "磅秤", 780: "縱帆船", 781: "記分板",
    784: "螺絲起子", 788: "鞋店", 789: "日式拉門", 792: "鏟子", 798: "計算尺", 799: "拉門",
    800: "吃角子老虎機", 801: "呼吸管", 802: "雪上摩托車", 803: "剷雪車", 804: "給皂機",
    807: "碟形太陽能集熱器", 808: "墨西哥寬邊帽", 810: "空白鍵", 811: "電暖器", 813: "鍋鏟", 816: "紡錘",
    822: "鋼鼓", 824: "披肩", 825: "石牆", 827: "爐子", 828: "濾網", 829: "路面電車", 834: "西裝",
    836: "",  # sunglass n04355933 is a burning glass in WordNet, but the photos show sunglasses: English alone
    837: "太陽眼鏡", 838: "防曬乳", 839: "吊橋", 842: "泳褲", 845: "注射器", 847: "戰車",
    848: "卡帶播放機", 850: "泰迪熊", 852: "網球", 853: "茅草屋頂", 854: "舞臺布幕", 856: "打穀機",
    861: "馬桶座", 862: "火把", 864: "拖吊車", 866: "曳引機", 867: "聯結車", 876: "大桶", 877: "旋轉閘門",
    879: "雨傘", 883: "花瓶", 886: "自動販賣機", 887: "祭服", 893: "皮夾", 894: "衣櫃", 899: "水壺",
    901: "威士忌酒壺", 905: "捲簾", 908: "機翼", 909: "炒鍋", 910: "木勺", 911: "毛線", 912: "蛇形圍籬",
    914: "雙桅帆船", 916: "網站", 917: "漫畫書", 918: "填字遊戲", 919: "路牌", 920: "紅綠燈", 921: "書衣",
    922: "菜單", 924: "酪梨醬", 927: "英式乳脂鬆糕", 929: "冰棒", 930: "法國麵包", 931: "貝果",
    932: "椒鹽捲餅", 933: "起司漢堡", 935: "馬鈴薯泥", 936: "高麗菜", 937: "綠花椰菜", 938: "花椰菜",
    939: "櫛瓜", 940: "金絲瓜", 941: "橡實南瓜", 942: "奶油南瓜", 943: "小黃瓜", 944: "朝鮮薊",
    946: "刺菜薊", 948: "澳洲青蘋果", 950: "柳橙", 953: "鳳梨", 955: "波羅蜜", 959: "培根蛋麵",
    961: "麵糰", 962: "烘肉捲", 964: "鹹派", 965: "墨西哥捲餅", 966: "紅酒", 967: "義式濃縮咖啡",
    974: "間歇泉", 975: "湖畔", 976: "岬角", 978: "海岸", 979: "山谷", 983: "水肺潛水員", 988: "橡實",
    992: "傘菌", 994: "鬼筆菌", 996: "舞菇", 998: "穀穗",  # W agaric (木耳 is a jelly ear); ear of a cereal
    # second pass
    70: "盲蛛", 139: "翻石鷸", 179: "斯塔福郡鬥牛㹴", 191: "萬能㹴", 199: "蘇格蘭㹴", 202: "愛爾蘭軟毛㹴",
    204: "拉薩犬", 212: "英國雪達犬", 233: "法蘭德斯牧牛犬", 240: "阿彭策爾山犬", 261: "荷蘭毛獅犬",
    273: "澳洲野犬", 463: "水桶", 471: "大砲", 507: "密碼鎖", 567: "平底鍋", 587: "鐵鎚", 632: "喇叭",
    649: "巨石建築", 714: "吉他彈片", 723: "紙風車", 756: "雨水桶", 820: "蒸汽火車頭",
    875: "伸縮號",  # T trombone
    925: "法式清湯",
}


def source_names(wheel: Path) -> list[str]:
    """The 1,000 Simplified Chinese names in the wheel, read as a Python literal (no code of the package runs)."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as archive:
        tree = ast.parse(archive.read(MEMBER).decode("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "imagenet_classnames":
            names = ast.literal_eval(node.value)
            if len(names) != 1000:
                raise SystemExit(f"{MEMBER}: {len(names)} names, expected 1000")
            return names
    raise SystemExit(f"{MEMBER}: no imagenet_classnames")


def converted(simplified: list[str]) -> list[str]:
    """OpenCC s2twp, and 㹴 for terriers: the names before the review."""
    import opencc

    convert = opencc.OpenCC("s2twp").convert
    names = [convert(name) for name in simplified]
    return [name.replace("梗", "㹴") if index in DOGS else name for index, name in enumerate(names)]


def reviewed(names: list[str]) -> list[str]:
    return [REVIEWED.get(index, name) for index, name in enumerate(names)]


def main(wheel: str) -> None:
    path = Path(wheel)
    synsets = [line.split("\t")[1] for line in ENGLISH.read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")]
    before = converted(source_names(path))
    names = reviewed(before)
    header = ("# Traditional Chinese (Taiwan) names of the 1,000 ImageNet-1k classes, in the index order of "
              "imagenet_classes.tsv: index, WordNet id, name (empty: no good name, the English stays alone).\n"
              "# Made by demos/saliency/make_zh_names.py; source, licence and review in "
              "imagenet_classes_zh.card.json.\n")
    OUTPUT.write_text(header + "".join(f"{i}\t{synsets[i]}\t{name}\n" for i, name in enumerate(names)),
                      encoding="utf-8")
    card = {
        "name": "imagenet-classes-zh-tw",
        "file": OUTPUT.name,
        "sha256": hashlib.sha256(OUTPUT.read_bytes()).hexdigest(),
        "source": {
            "package": "cn-clip", "version": "1.6.0", "registry": "PyPI", "wheel": WHEEL_NAME,
            "wheel_sha256": WHEEL_SHA256, "member": MEMBER,
            "member_sha256": hashlib.sha256(zipfile.ZipFile(path).read(MEMBER)).hexdigest(),
            "project": "https://github.com/OFA-Sys/Chinese-CLIP",
            "license": "MIT: Chinese-CLIP's MIT-LICENSE.txt (repository commit " + LICENSE_COMMIT + ", whose "
                       "copy of the member has the same sha256; the wheel carries no licence file). The member "
                       "says its Chinese names come from MindSpore's Wukong (mindspore/models, Apache-2.0).",
            "license_text": LICENSE_TEXT,
        },
        "made": {
            "command": "python -m demos.saliency.make_zh_names <path to the wheel>",
            "steps": ["read imagenet_classnames from the member with ast.literal_eval (no package code runs)",
                      "OpenCC s2twp (opencc-python-reimplemented): Traditional characters, Taiwan phrases",
                      "梗 -> 㹴 in the dog breeds (Taiwan writes terrier as 㹴)",
                      "REVIEWED corrections in the script"],
        },
        "review": {
            "how": "all 1,000 names read in batches next to the English lemmas and WordNet ids of "
                   "imagenet_classes.tsv; names of another thing, OpenCC phrase glitches and mainland usage "
                   "replaced; ambiguous English names decided by the synset (crane 134 bird / 517 machine, "
                   "maillot 638 dancer's tights / 639 swimsuit, cardigan 264 dog / 474 sweater, drake 97 male "
                   "duck, tiger cat 282 striped house cat, mortar 666 bowl, mask 643)",
            "reviewer": "the project's coding session for issue 20 (a language model), not a panel of native "
                        "speakers: corrections go into REVIEWED in the script",
            "corrected": sum(a != b for a, b in zip(before, names)),
            "english_alone": [i for i, name in enumerate(names) if not name],
        },
    }
    CARD.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {sum(map(bool, names))} names, "
          f"{card['review']['corrected']} corrected, {len(card['review']['english_alone'])} English alone")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
