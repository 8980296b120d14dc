"""A title from what a document says, for files whose name says nothing: pure functions.

``scan0007.pdf``, ``IMG_1234.jpg``, ``Document1.docx``, ``新建 Microsoft Word 文档.docx`` and
``final (2).xlsx`` are names a scanner, a camera or an office program chose. A name is
uninformative when nothing is left of it after taking away digits, dates, version marks,
copy marks and the words such programs put in names (a list of those words, not of files).
Such a document is titled by its own metadata title, else by its contract number and
parties when it is a contract, else by its first heading-like line (an e-mail's subject and
a deck's first slide title are its metadata title or first line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

MAX_TITLE_CHARS = 160
_HEADING_LINES = 12
"""How many non-empty lines of the first page are looked at for a heading."""

_GENERIC_LATIN_WORDS = """
scan scans scanned scanner scanning img image images dsc dscn dscf pict pic pics photo photos
picture screenshot screen shot document documents doc docs docx file files new final copy
untitled unnamed noname microsoft word excel powerpoint office presentation presentations
book workbook sheet spreadsheet draft version ver rev revised edited attachment attachments
page pages wps camscanner whatsapp wechat weixin mmexport pxl output download downloads
export temp tmp print printout fax xerox canon epson hp ricoh brother kyocera sharp konica
minolta lexmark of copia kopie kopia de von und and v vf vfinal ok latest updated update
"""
_GENERIC_LATIN = frozenset(_GENERIC_LATIN_WORDS.split())
_GENERIC_CJK_WORDS = """
新建 新增 文档 文件 檔案 文字 文本 表格 工作表 工作簿 演示文稿 演示 幻灯片
扫描件 扫描 掃描 扫描全能王
副本 複本 复件 复制 拷贝 未命名 无标题 無標題 图片 圖片 照片 截图 屏幕截图 微信图片 微信 附件
最终版 最终 最終 终稿 定稿 修改版 修改 修订版 修订 草稿 版本 第 版 稿
"""
_GENERIC_CJK = tuple(sorted(_GENERIC_CJK_WORDS.split(), key=len, reverse=True))
_NAME_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOT_HEADINGS = re.compile(
    r"^(?:page\s*\d+|第\s*\d+\s*页|confidential|机密|internal|draft|草稿|www\.\S+|\S+@\S+|"
    r"https?://\S+|(?:from|to|cc|date|sent|subject)\s*:.*)$", re.IGNORECASE)

_CONTRACT_NUMBER = re.compile(
    r"(?:(?:contract|agreement|order|po)\s*(?:no\.?|number|#)|合同编号|合同号|协议编号|編號|编号)"
    r"\s*[:：.]?\s*([A-Za-z0-9][A-Za-z0-9\-_/.]{2,40}[A-Za-z0-9])", re.IGNORECASE)
_PARTIES = (
    re.compile(r"甲方(?:[（(][^)）]{0,10}[)）])?\s*[:：]\s*([^\n:：]{2,60})"),
    re.compile(r"乙方(?:[（(][^)）]{0,10}[)）])?\s*[:：]\s*([^\n:：]{2,60})"),
)
_ENGLISH_PARTIES = (
    re.compile(r"(?:party a|buyer|purchaser|customer|client)\s*(?:\([^)]{0,20}\))?\s*[:：]"
               r"\s*([^\n:]{2,60})", re.IGNORECASE),
    re.compile(r"(?:party b|seller|supplier|vendor|contractor)\s*(?:\([^)]{0,20}\))?\s*[:：]"
               r"\s*([^\n:]{2,60})", re.IGNORECASE),
)
_BETWEEN = re.compile(r"\bbetween\s+(.{2,60}?)\s*(?:\([^)]{0,40}\))?,?\s+and\s+(.{2,60}?)"
                      r"\s*(?:\(|,|\.|\n|$)", re.IGNORECASE)
_CONTRACT_WORDS = re.compile(r"contract|agreement|合同|协议|協議|契約", re.IGNORECASE)


def is_uninformative_name(filename: str) -> bool:
    """Whether the file name was chosen by a device or a program, not by a person:
    nothing is left after digits, dates, version and copy marks and generic words."""
    stem = PurePath(filename).stem if filename else ""
    if not stem.strip():
        return True
    lowered = stem.casefold()
    for run in _CJK_RUN.findall(lowered):
        rest = run
        for word in _GENERIC_CJK:
            rest = rest.replace(word, "")
        if rest:
            return False
    latin = _CJK_RUN.sub(" ", lowered)
    return all(word in _GENERIC_LATIN for word in _NAME_WORDS.findall(latin))


def title_from_content(pages: Sequence[str], metadata_title: str | None,
                       placeholder: re.Pattern[str] | None = None) -> str | None:
    """A title from the document itself: its metadata title unless ``placeholder`` matches
    it, a contract's heading with its number and parties, or its first heading-like line."""
    if metadata_title and metadata_title.strip():
        cleaned = " ".join(metadata_title.split())
        if not (placeholder and placeholder.match(cleaned)) and not is_uninformative_name(
                cleaned + ".x"):
            return _shortened(cleaned)
    head = "\n".join(pages[:2])[:20_000]
    heading = first_heading(pages[0] if pages else "")
    found = _contract_title(head, heading) or heading
    return _shortened(found) if found else None


def first_heading(page: str) -> str | None:
    """The first line of ``page`` that reads like a heading: short, mostly letters, not a
    page number, a URL or a mail header."""
    seen = 0
    for raw in page.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        seen += 1
        if seen > _HEADING_LINES:
            break
        if _reads_like_heading(line):
            return line
    return None


def _reads_like_heading(line: str) -> bool:
    if len(line) > 100 or _NOT_HEADINGS.match(line):
        return False
    letters = len(_LETTER.findall(line))
    visible = sum(1 for ch in line if not ch.isspace())
    cjk = len(_CJK_RUN.findall(line)) > 0
    return (letters >= (2 if cjk else 4) and letters >= 0.6 * visible
            and not line.endswith((",", ";", "，", "；")))


def _contract_title(head: str, heading: str | None) -> str | None:
    if not _CONTRACT_WORDS.search(head[:3000]):
        return None
    number = _CONTRACT_NUMBER.search(head)
    parties = [m.group(1) for pattern in _PARTIES if (m := pattern.search(head))]
    if len(parties) < 2:
        parties = [m.group(1) for pattern in _ENGLISH_PARTIES if (m := pattern.search(head))]
    if len(parties) < 2 and (between := _BETWEEN.search(head)):
        parties = [between.group(1), between.group(2)]
    parties = [_party(name) for name in parties if _party(name)]
    if number is None and len(parties) < 2:
        return None
    parts = [heading or "", number.group(1) if number else ""]
    if len(parties) >= 2:
        parts.append(f"({parties[0]} / {parties[1]})")
    return " ".join(part for part in parts if part)


def _party(name: str) -> str:
    cleaned = " ".join(name.replace("_", " ").split()).strip(" ,;，；.")
    return cleaned if _LETTER.search(cleaned) else ""


def _shortened(title: str) -> str:
    return title if len(title) <= MAX_TITLE_CHARS else title[:MAX_TITLE_CHARS - 1] + "…"
