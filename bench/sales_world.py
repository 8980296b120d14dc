"""A generated sales world for the relevance harness: what a sales team of a small network
equipment maker ("Northwind Networks", 北风网络) keeps, in English and Chinese.

Price lists of several years (xlsx, pdf, docx) and their Chinese counterparts, a partner
pricing sheet for a fiscal year, a quotation, specs with several versions (one in traditional
Chinese), manuals, contracts (current, expired, draft; scanned signed copies only when
Tesseract is installed: a scan is never faked with a text layer), campaign plans and
summaries, research reports, brochures, case studies, proposals, and distractors that use
the same words (a pricing workshop, a competitor comparison, a travel policy of 2024, a
confidential discount matrix the reader may not see). Deterministic: the same bytes every
run (fixed seeds, fixed document dates).

``build_world(folder)`` writes the files to ``folder`` (for a look) and returns them as
SalesDocument items: upload metadata, the versions' file names and bytes, upload dates.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from docservice.services.documents import DocumentMeta

COMPANY = "Northwind Networks"
COMPANY_ZH = "北风网络"
CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# SKU, English description, Chinese description, list price in EUR (2023)
CATALOG = [
    ("AX-200-EU", "AX-200 industrial LTE router, EU power supply, 4x GbE",
     "AX-200 工业路由器（欧规）", 420),
    ("AX-200-US", "AX-200 industrial LTE router, US power supply, 4x GbE",
     "AX-200 工业路由器（美规）", 430),
    ("AX-200-CN", "AX-200 industrial LTE router, China model", "AX-200 工业路由器（国内版）",
     395),
    ("AX-300-EU", "AX-300 edge computing gateway, 8 GB RAM", "AX-300 边缘计算网关", 890),
    ("AX-300-CN", "AX-300 edge computing gateway, China model",
     "AX-300 边缘计算网关（国内版）", 860),
    ("SW-24P-EU", "SW-24P managed PoE+ switch, 24 ports, 370 W",
     "SW-24P 网管型 PoE 交换机 24 口", 640),
    ("SW-24P-CN", "SW-24P managed PoE+ switch, China model",
     "SW-24P 网管型 PoE 交换机（国内版）", 610),
    ("LT-10-EU", "LT-10 LTE Cat 4 module, M.2", "LT-10 LTE 模块", 58),
    ("LT-10-CN", "LT-10 LTE Cat 4 module, China bands", "LT-10 LTE 模块（国内频段）", 52),
    ("CM-SUB-1Y", "Cloud Manager subscription, 1 year per device", "云管理平台订阅 1 年/台", 36),
    ("CM-SUB-3Y", "Cloud Manager subscription, 3 years per device", "云管理平台订阅 3 年/台", 95),
    ("ACC-ANT-5G", "Antenna kit, 4x LTE/5G, SMA", "天线套件", 45),
    ("ACC-DIN", "DIN rail mounting kit", "导轨安装套件", 12),
]
YEARLY_INCREASE = 0.04
PRICING = ("pricing",)
STAMP = datetime(2020, 1, 1)  # created/modified of every generated file: stable bytes
CNY_PER_EUR = 7.8


@dataclass(frozen=True)
class SalesDocument:
    """One document of the world: its upload metadata and its versions, oldest first."""

    meta: DocumentMeta
    versions: list[tuple[str, Path | bytes]]
    uploaded: list[datetime] = field(default_factory=list)
    team: str | None = None


@dataclass(frozen=True)
class Content:
    """What a file says: a title line, sections of paragraphs, an optional table."""

    title: str
    sections: Sequence[tuple[str, Sequence[str]]] = ()
    table: Sequence[Sequence[str]] = ()
    chinese: bool = False


Renderer = Callable[[Content], bytes]


# -- the catalogue in numbers -------------------------------------------------------------

def price(eur: float, year: int, *, cny: bool = False) -> str:
    value = eur * (1 + YEARLY_INCREASE) ** (year - 2023)
    return f"{round(value * CNY_PER_EUR, -1):,.0f}" if cny else f"{value:,.2f}"


def price_table(year: int, *, chinese: bool = False, region: str = "EU") -> list[list[str]]:
    if chinese:
        rows = [["型号", "产品描述", "目录价（人民币，含税）", "备注"]]
        rows += [[sku, zh, price(eur, year, cny=True), "现货" if n % 3 else "4周交期"]
                 for n, (sku, _en, zh, eur) in enumerate(CATALOG) if not sku.endswith(
                     ("-EU", "-US"))]
        return rows
    rows = [["SKU", "Description", f"List price {year} (EUR, excl. VAT)", "Lead time"]]
    rows += [[sku, en, price(eur, year), "stock" if n % 3 else "4 weeks"]
             for n, (sku, en, _zh, eur) in enumerate(CATALOG)
             if (region == "EU" and not sku.endswith(("-CN", "-US"))) or (sku.endswith("-US")
             and region == "US")]
    return rows


# -- renderers ----------------------------------------------------------------------------

def xlsx(content: Content) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "价格表" if content.chinese else "Prices"
    sheet.append([content.title])
    for heading, paragraphs in content.sections:
        sheet.append([heading])
        for paragraph in paragraphs:
            sheet.append([paragraph])
    sheet.append([])
    for row in content.table:
        sheet.append(list(row))
    book.properties.title = content.title
    book.properties.creator = COMPANY
    return _saved(book)


def docx(content: Content) -> bytes:
    from docx import Document as WordDocument

    word = WordDocument()
    _stamp(word.core_properties, content.title)
    word.add_heading(content.title, level=1)
    for heading, paragraphs in content.sections:
        if heading:
            word.add_heading(heading, level=2)
        for paragraph in paragraphs:
            word.add_paragraph(paragraph)
    if content.table:
        table = word.add_table(rows=0, cols=len(content.table[0]))
        for row in content.table:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
    return _saved(word)


def pptx(content: Content) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    _stamp(deck.core_properties, content.title)
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = content.title
    for heading, paragraphs in content.sections:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        body = slide.placeholders[1].text_frame
        body.text = paragraphs[0] if paragraphs else ""
        for paragraph in paragraphs[1:]:
            body.add_paragraph().text = paragraph
    return _saved(deck)


def pdf(content: Content) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if content.chinese:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        font = "STSong-Light"
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setTitle(content.title)
    page.setAuthor(COMPANY)
    writer = _PdfLines(page, font)
    writer.line(content.title, size=16)
    for heading, paragraphs in content.sections:
        writer.line("")
        if heading:
            writer.line(heading, size=13)
        for paragraph in paragraphs:
            writer.wrapped(paragraph, chinese=content.chinese)
    if content.table:
        writer.line("")
        for row in content.table:
            writer.line("   ".join(row), size=9)
    page.save()
    return out.getvalue()


class _PdfLines:
    """Lines top to bottom, a new page when the page is full."""

    def __init__(self, page: object, font: str) -> None:
        self.page, self.font, self.y = page, font, 800.0

    def line(self, text: str, size: int = 10) -> None:
        if self.y < 60:
            self.page.showPage()  # type: ignore[attr-defined]
            self.y = 800.0
        self.page.setFont(self.font, size)  # type: ignore[attr-defined]
        self.page.drawString(50, self.y, text)  # type: ignore[attr-defined]
        self.y -= size + 6

    def wrapped(self, text: str, *, chinese: bool) -> None:
        width = 42 if chinese else 95
        if chinese:
            chunks = [text[at:at + width] for at in range(0, len(text), width)]
        else:
            chunks, current = [], ""
            for word in text.split():
                if len(current) + len(word) + 1 > width:
                    chunks.append(current)
                    current = word
                else:
                    current = f"{current} {word}".strip()
            chunks.append(current)
        for chunk in chunks:
            self.line(chunk)


def markdown(content: Content) -> bytes:
    lines = [f"# {content.title}", ""]
    for heading, paragraphs in content.sections:
        if heading:
            lines += [f"## {heading}", ""]
        for paragraph in paragraphs:
            lines += [paragraph, ""]
    if content.table:
        lines.append("| " + " | ".join(content.table[0]) + " |")
        lines.append("|" + "---|" * len(content.table[0]))
        lines += ["| " + " | ".join(row) + " |" for row in content.table[1:]]
    return "\n".join(lines).encode("utf-8")


def html(content: Content) -> bytes:
    parts = [f"<html><head><meta charset='utf-8'><title>{content.title}</title></head><body>",
             f"<h1>{content.title}</h1>"]
    for heading, paragraphs in content.sections:
        if heading:
            parts.append(f"<h2>{heading}</h2>")
        parts += [f"<p>{paragraph}</p>" for paragraph in paragraphs]
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def email(content: Content) -> bytes:
    message = EmailMessage()
    message["From"] = "purchasing@contoso-retail.example"
    message["To"] = "sales@northwind.example"
    message["Subject"] = content.title
    message["Date"] = "Tue, 12 Mar 2024 09:14:00 +0100"
    message["Message-ID"] = "<q-request-0312@contoso-retail.example>"
    body = [paragraph for _heading, paragraphs in content.sections for paragraph in paragraphs]
    message.set_content("\n\n".join(body))
    return message.as_bytes()


def scan(content: Content) -> bytes:
    """An image-only PDF of the printed text, slightly rotated, with speckles (OCR reads it)."""
    from PIL import Image, ImageDraw, ImageFont

    size = (1654, 2339)  # A4 at 200 dpi
    font = ImageFont.truetype(str(CJK_FONT_FILE), 34)
    pages: list[Image.Image] = []
    lines = [content.title, ""] + [line for heading, paragraphs in content.sections
                                   for line in ([heading] if heading else []) + [
                                       *_lines(paragraphs, content.chinese)]]
    rnd = random.Random(content.title)
    for start in range(0, len(lines), 34):
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for number, line in enumerate(lines[start:start + 34]):
            draw.text((120, 120 + number * 60), line, font=font, fill=20)
        for _ in range(1500):
            draw.point((rnd.randrange(size[0]), rnd.randrange(size[1])), fill=90)
        pages.append(image.rotate(0.8, fillcolor=255))
    out = io.BytesIO()
    stamp = time.gmtime(1577836800)  # 2020-01-01
    pages[0].save(out, format="PDF", resolution=200.0, save_all=True, append_images=pages[1:],
                  creationDate=stamp, modDate=stamp)
    return out.getvalue()


def _lines(paragraphs: Sequence[str], chinese: bool) -> list[str]:
    width = 38 if chinese else 80
    lines: list[str] = []
    for paragraph in paragraphs:
        if chinese:
            lines += [paragraph[at:at + width] for at in range(0, len(paragraph), width)]
            continue
        current = ""
        for word in paragraph.split():
            if len(current) + len(word) + 1 > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
    return lines


def _stamp(properties: object, title: str) -> None:
    """Title, author and fixed dates in a Word or PowerPoint file's core properties."""
    for name, value in (("title", title), ("author", COMPANY), ("created", STAMP),
                        ("modified", STAMP)):
        setattr(properties, name, value)


def _saved(office: object) -> bytes:
    out = io.BytesIO()
    office.save(out)  # type: ignore[attr-defined]
    return _fixed_zip_times(out.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Office files are zips stamped with the current time (entries and core properties):
    restamp them for stable bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", body)
            target.writestr(fixed, body)
    return out.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


RENDERERS: dict[str, Renderer] = {"xlsx": xlsx, "docx": docx, "pptx": pptx, "pdf": pdf,
                                  "md": markdown, "txt": markdown, "html": html, "eml": email,
                                  "scan": scan}


# -- the world ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FileVersion:
    name: str
    kind: str  # a RENDERERS key
    content: Content
    uploaded: date


def build_world(folder: Path | None = None, *, scans: bool | None = None
                ) -> list[SalesDocument]:
    """Every document of the world with its files; ``scans`` default: Tesseract installed."""
    if scans is None:
        scans = shutil.which("tesseract") is not None and CJK_FONT_FILE.exists()
    world: list[SalesDocument] = []
    for meta, versions, team in _documents():
        if not scans and any(version.kind == "scan" for version in versions):
            continue
        files: list[tuple[str, Path | bytes]] = []
        for version in versions:
            data = RENDERERS[version.kind](version.content)
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / version.name).write_bytes(data)
            files.append((version.name, data))
        world.append(SalesDocument(meta, files, [datetime.combine(v.uploaded, datetime.min.time())
                                                 .replace(hour=9) for v in versions], team))
    return world


def _meta(category: str, subtype: str | None = None, *, title: str | None = None,
          tags: Sequence[str] = (), product: str | None = None, customer: str | None = None,
          expires_on: date | None = None, status: str = "active") -> DocumentMeta:
    return DocumentMeta(title=title, category=category, subtype=subtype, tags=tuple(tags),
                        product=product, customer=customer, visibility="org", status=status,
                        expires_on=expires_on)


def _documents() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    return [*_price_lists(), *_specs(), *_manuals(), *_contracts(), *_campaigns(),
            *_customer_material(), *_other()]


def _price_list_en(year: int, note: str = "") -> Content:
    return Content(f"{COMPANY} – EU Price List {year}", [
        ("", [f"Valid from 1 January {year} until 31 December {year}. All prices in EUR, "
              "excluding VAT, ex works Hamburg.",
              "Volume discounts and partner prices are not shown here; ask your account "
              "manager." + (f" {note}" if note else "")]),
    ], price_table(year))


def _price_list_zh(year: int) -> Content:
    return Content(f"{COMPANY_ZH} {year}年产品价格表（中国区）", [
        ("", [f"本价格表自{year}年1月1日起执行，至{year}年12月31日止。"
              "价格单位为人民币，含13%增值税。",
              "渠道价格与批量折扣请联系区域销售经理，以正式报价单为准。"]),
    ], price_table(year, chinese=True), chinese=True)


def _price_lists() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    return [
        (_meta("product", "price_list", title="Price List 2023", tags=PRICING),
         [FileVersion("price_list_2023.xlsx", "xlsx", _price_list_en(2023), date(2023, 1, 9))],
         None),
        (_meta("product", "price_list", title="Price List 2024", tags=PRICING),
         [FileVersion("price_list_2024.xlsx", "xlsx", _price_list_en(2024), date(2024, 1, 8)),
          FileVersion("price_list_2024_v2.xlsx", "xlsx", _price_list_en(
              2024, "Mid-year update of 1 July 2024: AX-300 prices reduced by 5%."),
              date(2024, 7, 1))], None),
        (_meta("product", "price_list", title="Price List 2025", tags=PRICING),
         [FileVersion("price_list_2025.docx", "docx", _price_list_en(2025), date(2025, 1, 6))],
         None),
        (_meta("product", "price_list", tags=PRICING),
         [FileVersion("Northwind_Price_List_2026.pdf", "pdf", _price_list_en(
             2026, "This list replaces the price list of 2025."), date(2026, 1, 5))], None),
        (_meta("product", "price_list", title="2024年价格表（中国区）", tags=["价格"]),
         [FileVersion("2024年价格表_中国区.xlsx", "xlsx", _price_list_zh(2024), date(2024, 1, 15))],
         None),
        (_meta("product", "price_list", title="2026年价格表（中国区）", tags=["价格"]),
         [FileVersion("2026年价格表_中国区.pdf", "pdf", _price_list_zh(2026), date(2026, 1, 12))],
         None),
        (_meta("product", "price_list", title="2023年价目表"),
         [FileVersion("2023年价目表.docx", "docx", Content("2023年价目表", [
             ("说明", ["本价目表适用于2023年度国内直销项目，价格含税，运费另计。",
                       "如需批量采购，请向销售申请报价单。"])],
             price_table(2023, chinese=True), chinese=True), date(2023, 2, 1))], None),
        (_meta("product", "price_list", title="FY24 Partner Pricing Sheet",
               tags=["partner", "pricing"]),
         [FileVersion("FY24_partner_pricing_sheet.docx", "docx", Content(
             "FY24 Partner Pricing Sheet", [
                 ("Scope", ["Distributor and reseller prices for fiscal year FY24 (April 2024 to "
                            "March 2025). Partner discounts apply to the EU list prices.",
                            "Silver partners 15%, Gold partners 22%, Platinum partners 30% off "
                            "list. Deal registration adds 5% on registered opportunities."]),
                 ("Rules", ["Prices are confidential to registered partners. Quotes to end "
                            "customers must not go below the floor price."])],
             [["SKU", "List (EUR)", "Gold (EUR)"]] + [[sku, price(eur, 2024),
                                                       price(eur * 0.78, 2024)]
                                                      for sku, _en, _zh, eur in CATALOG[:8]]),
             date(2024, 4, 2))], None),
        (_meta("other", title="Competitor price comparison 2024", tags=["competition"]),
         [FileVersion("competitor_price_comparison_2024.xlsx", "xlsx", Content(
             "Competitor price comparison 2024", [
                 ("", ["Street prices of comparable routers and switches seen in tenders in "
                       "2024: Tailspin Networks TR-500, Litware LX-20, and our AX-200-EU.",
                       "Use it to argue value, not to undercut our price list."])],
             [["Vendor", "Model", "Street price (EUR)"], ["Tailspin Networks", "TR-500", "389"],
              ["Litware Systems", "LX-20", "455"], [COMPANY, "AX-200-EU", price(420, 2024)]]),
             date(2024, 5, 20))], None),
        (_meta("other", title="Pricing workshop notes"),
         [FileVersion("pricing_workshop_notes.md", "md", Content(
             "Pricing workshop notes (October 2024)", [
                 ("Agenda", ["How the price list is built each year: costs, competitor "
                             "prices, target margins. The 2025 list should rise by about 4%.",
                             "Quotation process: sales asks for a quote above 50 units; "
                             "discounts above 20% need approval."]),
                 ("Decisions", ["Keep one price list per region. Publish the 2025 price list "
                                "in the first week of January."])]), date(2024, 10, 15))],
         None),
        (_meta("product", "price_list", title="Confidential: discount approval matrix 2024"),
         [FileVersion("discount_approval_matrix_2024.xlsx", "xlsx", Content(
             "Discount approval matrix 2024 – price list 2024 deviations", [
                 ("", ["Price list 2024: who may approve which discount off the price list. "
                       "Pricing sheet deviations above 25% need the CFO."])],
             [["Discount", "Approver"], ["up to 10%", "sales rep"], ["10-25%", "sales director"],
              ["over 25%", "CFO"]]), date(2024, 2, 1))], "apac-sales"),
    ]


def _datasheet(version: int, month: str, features: Sequence[str]) -> Content:
    return Content("AX-200 Industrial Router Datasheet", [
        ("Overview", [f"Datasheet version {version}, {month}. The AX-200 is a compact "
                      "industrial LTE router for kiosks, vending machines and factory cells. "
                      "Order codes AX-200-EU, AX-200-US and AX-200-CN."]),
        ("Technical data", list(features)),
    ])


def _specs() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    base = ["4x Gigabit Ethernet, 1x RS-485, 2 digital inputs.",
            "Power 9-36 V DC, typical consumption 6 W."]
    return [
        (_meta("product", "spec", title="AX-200 Datasheet", product="AX-200"),
         [FileVersion("ax200_datasheet_v1.pdf", "pdf", _datasheet(1, "March 2023", [
             "Cellular: 4G LTE Cat 4, dual SIM.", *base,
             "Operating temperature -20 to 60 °C."]), date(2023, 3, 1)),
          FileVersion("ax200_datasheet_v2.pdf", "pdf", _datasheet(2, "May 2024", [
              "Cellular: 4G LTE Cat 4, dual SIM. Wi-Fi 5 access point.", *base,
              "Operating temperature -30 to 70 °C."]), date(2024, 5, 10)),
          FileVersion("ax200_datasheet_v3.pdf", "pdf", _datasheet(3, "September 2025", [
              "Cellular: 4G LTE Cat 12, dual SIM. Wi-Fi 6 access point.", *base,
              "Operating temperature -40 to 75 °C. Certified EN 50155 for railway use."]),
              date(2025, 9, 2))], None),
        (_meta("product", "spec", title="AX-300 Edge Gateway Specification", product="AX-300"),
         [FileVersion("ax300_specification.docx", "docx", _ax300_spec(1), date(2024, 2, 12)),
          FileVersion("ax300_specification_v2.docx", "docx", _ax300_spec(2),
                      date(2025, 11, 3))], None),
        (_meta("product", "spec", title="SW-24P 交换机规格书", product="SW-24P"),
         [FileVersion("SW-24P交换机规格书.pdf", "pdf", Content("SW-24P 网管型PoE交换机 规格书", [
             ("产品概述", ["SW-24P 是面向园区与工厂的二层网管型交换机，"
                       "提供24个千兆PoE+电口和4个万兆光口，整机PoE预算370瓦。"]),
             ("技术参数", ["交换容量128Gbps，包转发率95Mpps。支持VLAN、链路聚合、环网保护。",
                       "工作温度0至50摄氏度，机架式安装，订货号SW-24P-CN。"])], chinese=True),
             date(2024, 4, 18))], None),
        (_meta("product", "spec", title="LT-10 LTE 模块参数表", product="LT-10"),
         [FileVersion("LT-10_参数表.xlsx", "xlsx", Content("LT-10 LTE 模块参数表", [
             ("", ["LT-10 是 M.2 接口的 LTE Cat 4 通信模块，用于 AX-200 及第三方设备。"])],
             [["参数", "数值"], ["接口", "M.2 Key B"], ["网络", "LTE Cat 4，下行150Mbps"],
              ["频段（国内版 LT-10-CN）", "B1/B3/B5/B8/B34/B38/B39/B40/B41"],
              ["工作温度", "-40至85摄氏度"]], chinese=True), date(2023, 8, 21))], None),
        (_meta("product", "spec", title="AX-200 產品規格書（繁體中文）", product="AX-200"),
         [FileVersion("AX-200_產品規格書_繁體.docx", "docx", Content(
             "AX-200 工業路由器 產品規格書", [
             ("產品簡介", ["AX-200 是一款精巧的工業級LTE路由器，"
                       "適用於自助服務終端、販賣機與工廠產線。"]),
             ("技術規格", ["行動網路：4G LTE Cat 12，雙SIM卡。無線網路：Wi-Fi 6。",
                       "工作溫度：攝氏負40度至75度。訂貨編號 AX-200-EU、AX-200-CN。"])],
             chinese=True), date(2025, 10, 6))], None),
    ]


def _ax300_spec(version: int) -> Content:
    ram = "8 GB" if version == 2 else "4 GB"
    return Content("AX-300 Edge Gateway Specification", [
        ("Purpose", [f"Specification, revision {version}. The AX-300 edge computing gateway runs "
                     "containers next to the machines and forwards data to Cloud Manager."]),
        ("Hardware", [f"Quad-core ARM Cortex-A55, {ram} RAM, 32 GB eMMC, 2x GbE, 1x CAN bus.",
                      "Optional LT-10 LTE module. DIN rail mounting (ACC-DIN)."]),
        ("Software", ["Linux-based firmware with signed updates; Docker runtime; Modbus TCP and "
                      "OPC UA connectors."])])


def _manuals() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    return [
        (_meta("product", "manual", title="AX-200 User Guide", product="AX-200"),
         [FileVersion("AX-200_User_Guide.pdf", "pdf", Content("AX-200 User Guide", [
             ("1 Installation", ["Mount the router on a DIN rail or a wall. Connect the LTE "
                                 "antennas before power-up. Insert the SIM card with the "
                                 "device switched off."]),
             ("2 Configuration", ["Open the web interface at 192.168.1.1. Set the APN of your "
                                  "carrier, change the admin password and enable the firewall. "
                                  "Devices can be enrolled in Cloud Manager with a token."]),
             ("3 Troubleshooting", ["No LTE connection: check the SIM PIN and the antenna "
                                    "cables. The status LED blinks red while searching for a "
                                    "network. Accessories are listed in the current price "
                                    "list."])]), date(2024, 2, 20))], None),
        (_meta("product", "manual", title="AX-300 Installation Guide", product="AX-300"),
         [FileVersion("ax300_installation_guide.pdf", "pdf", Content(
             "AX-300 Installation Guide", [
                 ("Before you start", ["Check the box contents: gateway, power terminal block, "
                                       "DIN rail clip, quick reference card."]),
                 ("Mounting", ["Clip the gateway onto a 35 mm DIN rail. Leave 5 cm of space "
                               "above and below for cooling."]),
                 ("Wiring", ["Connect 24 V DC to the terminal block, then the Ethernet cables "
                             "and the CAN bus. Ground the chassis."])]), date(2024, 3, 4))], None),
        (_meta("product", "manual", title="AX-300 安装手册", product="AX-300"),
         [FileVersion("AX-300安装手册.docx", "docx", Content("AX-300 边缘计算网关 安装手册", [
             ("安装前准备", ["请核对包装清单：网关主机、电源端子、导轨卡扣、快速指南。"]),
             ("安装步骤", ["将网关卡装在35毫米标准导轨上，上下各预留5厘米散热空间。",
                       "先连接24伏直流电源，再连接网线和CAN总线，机壳需可靠接地。"])],
             chinese=True), date(2024, 3, 4))], None),
        (_meta("product", "manual", title="Cloud Manager Administrator Handbook",
               product="Cloud Manager"),
         [FileVersion("cloud_manager_admin_handbook.md", "md", Content(
             "Cloud Manager Administrator Handbook", [
                 ("Tenants and roles", ["Each customer is a tenant. Administrators invite "
                                        "operators and read-only users."]),
                 ("Enrolling devices", ["Generate an enrolment token and paste it into the "
                                        "router's web interface; the device appears within a "
                                        "minute."]),
                 ("Firmware rollouts", ["Roll out firmware to a test group first. A rollout can "
                                        "be paused and rolled back."])]), date(2024, 6, 3))],
         None),
        (_meta("product", "manual", title="SW-24P Quick Start", product="SW-24P"),
         [FileVersion("sw24p_quick_start.pptx", "pptx", Content("SW-24P Quick Start", [
             ("Step 1: rack mounting", ["Fix the switch with the brackets supplied.",
                                        "Connect the power cord."]),
             ("Step 2: first login", ["Browse to 192.168.0.254, user admin.",
                                      "Set a new password at the first login."]),
             ("Step 3: PoE budget", ["370 W for all ports; per-port limits in the PoE menu."])]),
             date(2024, 5, 6))], None),
    ]


def _contract_text(parties: str, subject: str, term: str, extra: Sequence[str] = ()
                   ) -> list[tuple[str, list[str]]]:
    return [
        ("Parties", [f"This agreement is made between {COMPANY} GmbH, Hamburg (the Supplier) "
                     f"and {parties}."]),
        ("Subject", [subject]),
        ("Term", [term]),
        ("Liability", ["Neither party is liable for indirect or consequential damages. Total "
                       "liability is capped at the fees paid in the twelve months before the "
                       "claim.", *extra]),
        ("Signatures", ["Signed for the Supplier: J. Berger, Managing Director. Signed for the "
                        "Customer by its authorised representative."]),
    ]


def _contracts() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    fabrikam = "Fabrikam Distribution B.V., Rotterdam (the Reseller)"
    return [
        (_meta("contract", "signed", title="Master Supply Agreement – Contoso Retail",
               customer="Contoso Retail", expires_on=date(2027, 12, 31)),
         [FileVersion("MSA_Contoso_Retail_signed.docx", "docx", Content(
             "Master Supply Agreement", _contract_text(
                 "Contoso Retail Ltd., Manchester (the Customer)",
                 "Supply of AX-200 routers, SW-24P switches and Cloud Manager subscriptions "
                 "for about 400 stores, at the prices of the current price list less 18%.",
                 "From 1 January 2025 for three years, renewed yearly unless terminated with "
                 "three months notice.")), date(2024, 12, 9))], None),
        (_meta("contract", "expired", title="Reseller Agreement – Fabrikam (2021–2024)",
               customer="Fabrikam", expires_on=date(2024, 12, 31), status="expired"),
         [FileVersion("Fabrikam_Reseller_Agreement_2021.docx", "docx", Content(
             "Reseller Agreement", _contract_text(
                 fabrikam, "The Reseller is granted exclusive distribution rights for the "
                 "Benelux countries for the AX product line.",
                 "From 1 January 2021 until 31 December 2024.")), date(2021, 1, 4))], None),
        (_meta("contract", "signed", title="Reseller Agreement – Fabrikam (2025–2027)",
               customer="Fabrikam", expires_on=date(2027, 12, 31)),
         [FileVersion("Fabrikam_Reseller_Agreement_2025.pdf", "pdf", Content(
             "Reseller Agreement (renewal)", _contract_text(
                 fabrikam, "The Reseller is granted exclusive distribution rights for the "
                 "Benelux countries and non-exclusive rights for Germany, for the AX and SW "
                 "product lines.",
                 "From 1 January 2025 until 31 December 2027.",
                 ["Minimum purchase: EUR 600,000 per year."])), date(2025, 1, 2))], None),
        (_meta("contract", "signed", title="采购合同 – 上海云帆科技",
               customer="上海云帆科技有限公司", expires_on=date(2027, 6, 30)),
         [FileVersion("采购合同_上海云帆科技_2025.pdf", "pdf", Content("产品采购合同", [
             ("合同双方", ["甲方（买方）：上海云帆科技有限公司；"
                       "乙方（卖方）：北风网络（上海）有限公司。"]),
             ("采购内容", ["甲方向乙方采购AX-200-CN工业路由器300台、SW-24P-CN交换机40台，"
                       "合同总价人民币玖拾捌万元整。"]),
             ("交货与验收", ["乙方应于合同签订后30日内交货，甲方在到货后10个工作日内完成验收。"]),
             ("违约责任", ["任何一方违约，应向对方支付合同总价百分之五的违约金。"]),
             ("其他", ["本合同一式两份，双方盖章后生效，有效期至2027年6月30日。"])], chinese=True),
             date(2025, 6, 28))], None),
        (_meta("contract", "signed", title="Mutual NDA – Globex Corporation",
               customer="Globex Corporation"),
         [FileVersion("NDA_Globex_Corporation.docx", "docx", Content(
             "Mutual Non-Disclosure Agreement", _contract_text(
                 "Globex Corporation, Springfield (Globex)",
                 "The parties exchange confidential information to evaluate a joint offer "
                 "for smart building networks; each keeps the other's information secret.",
                 "Two years from signature; confidentiality survives for five years.")),
             date(2025, 3, 17))], None),
        (_meta("contract", "signed", title="Service Agreement – Initech (signed scan)",
               customer="Initech", expires_on=date(2027, 3, 31)),
         [FileVersion("Service_Agreement_Initech_signed.pdf", "scan", Content(
             "SERVICE AGREEMENT", [
                 ("", ["Between Northwind Networks GmbH and Initech Ltd.",
                       "Scope: on-site maintenance of 120 AX-300 gateways at the Initech plants.",
                       "Response time four hours on working days, spare parts kept on site.",
                       "Annual fee EUR 48,000, invoiced quarterly.",
                       "Term: 1 April 2025 to 31 March 2027.",
                       "Signed in Hamburg on 20 March 2025."])]), date(2025, 3, 24))], None),
        (_meta("contract", "signed", title="维保服务协议 – 东海港务集团（盖章扫描件）",
               customer="东海港务集团", expires_on=date(2027, 12, 31)),
         [FileVersion("维保服务协议_东海港务_盖章.pdf", "scan", Content("维保服务协议", [
             ("", ["甲方：东海港务集团有限公司", "乙方：北风网络（上海）有限公司",
                   "服务内容：码头无线网络与工业路由器的年度维护保养。",
                   "响应时间：接到报修后两小时内响应，二十四小时内到场。",
                   "服务费用：每年人民币三十六万元。",
                   "协议期限：二〇二五年一月一日至二〇二七年十二月三十一日。"])],
             chinese=True), date(2025, 1, 8))], None),
        (_meta("contract", "draft", title="Draft Master Supply Agreement – Umbrella Health",
               customer="Umbrella Health", status="draft"),
         [FileVersion("Draft_MSA_Umbrella_Health.docx", "docx", Content(
             "DRAFT – Master Supply Agreement", _contract_text(
                 "Umbrella Health plc, Leeds (the Customer)",
                 "Supply of AX-300 gateways for 35 hospitals. Open points: prices, service "
                 "levels.", "Three years from signature (to be agreed).")),
             date(2026, 9, 14))], None),
    ]


def _campaigns() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    return [
        (_meta("campaign", "plan", title="Trade Fair 2024 Campaign Plan", tags=["event"]),
         [FileVersion("2024_Trade_Fair_Campaign_Plan.pptx", "pptx", Content(
             "Hannover Messe 2024 – Campaign Plan", [
                 ("Goals", ["300 qualified leads, 40 demos of the AX-300 edge gateway.",
                            "Launch the AX-200 Wi-Fi 6 version."]),
                 ("Booth", ["Hall 16, 48 m². Brochures and price sheets on request at the "
                            "counter; quotations only by the account managers."]),
                 ("Budget", ["EUR 85,000 including stand, travel and giveaways."])]),
             date(2024, 1, 22))], None),
        (_meta("campaign", "plan", title="2024年618促销活动方案", tags=["促销"]),
         [FileVersion("618促销活动方案_2024.docx", "docx", Content("2024年“618”线上促销活动方案", [
             ("活动目标", ["借助618购物节，提升AX-200国内版和云管理平台订阅在中小企业客户中的销量，"
                       "目标销售额人民币三百万元。"]),
             ("活动内容", ["6月1日至6月18日，AX-200-CN 满10台享九折，"
                       "云管理平台订阅买一年送三个月。",
                       "联合京东企业购开设品牌专区，直播讲解工业路由器选型。"]),
             ("预算与分工", ["市场部负责物料与投放，预算人民币二十五万元；销售部负责客户跟进。"])],
             chinese=True), date(2024, 4, 25))], None),
        (_meta("campaign", "summary", title="2023年双十一市场活动总结", tags=["促销"]),
         [FileVersion("双十一市场活动总结_2023.pptx", "pptx", Content("2023年双十一市场活动总结", [
             ("活动回顾", ["11月1日至11日，线上渠道销售额人民币二百四十万元，同比增长35%。"]),
             ("经验与问题", ["直播带来的线索转化率高；物流延迟导致部分订单投诉。"]),
             ("下一步", ["2024年提前备货，并与渠道伙伴共同策划营销活动。"])], chinese=True),
             date(2023, 11, 28))], None),
        (_meta("campaign", "research_report", title="Industrial IoT Market Research 2025"),
         [FileVersion("Industrial_IoT_Market_Research_2025.pdf", "pdf", Content(
             "Industrial IoT Connectivity – Market Research Report 2025", [
                 ("Summary", ["The European market for industrial routers and edge gateways "
                              "grows 9% a year. Buyers value long-term availability and "
                              "remote management over price."]),
                 ("Method", ["Survey of 180 plant managers and system integrators in Germany, "
                             "France and the Benelux, March to May 2025."]),
                 ("Competitors", ["Tailspin Networks leads in price, Litware in software. "
                                  "Our share is estimated at 6%."])]), date(2025, 6, 30))],
         None),
        (_meta("campaign", "research_report", title="华东地区制造业网络需求调研报告"),
         [FileVersion("华东地区制造业调研报告_2024.pdf", "pdf", Content(
             "华东地区制造业网络需求调研报告", [
             ("调研背景", ["2024年上半年，市场部走访江苏、浙江、上海三地共62家制造企业，"
                       "了解工厂网络改造与边缘计算的需求。"]),
             ("主要发现", ["七成受访企业计划在两年内升级车间网络；价格敏感度较高，"
                       "更看重本地化服务与交付周期。"]),
             ("建议", ["加强渠道伙伴培训，推出面向中小工厂的打包方案。"])], chinese=True),
             date(2024, 8, 12))], None),
        (_meta("campaign", "summary", title="Q3 2025 Email Campaign Summary"),
         [FileVersion("Q3_2025_email_campaign_summary.html", "html", Content(
             "Q3 2025 Email Campaign Summary", [
                 ("Results", ["Three mailings to 12,400 contacts: open rate 31%, click rate "
                              "4.2%, 58 demo requests.", "The subject line with the word "
                              "'free trial' performed best."]),
                 ("Next", ["Q4: a webinar on Cloud Manager firmware rollouts."])]),
             date(2025, 10, 7))], None),
    ]


def _customer_material() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    return [
        (_meta("product", title="AX Series Brochure", tags=["brochure"], product="AX-200"),
         [FileVersion("AX_Series_Brochure.pdf", "pdf", Content("The AX Series: connect every "
                                                               "machine", [
             ("", ["Rugged routers and edge gateways for retail, transport and manufacturing.",
                   "AX-200: LTE router for kiosks and vending. AX-300: edge computing next to "
                   "the machine.", "Managed from the cloud, supported for ten years."])]),
             date(2025, 2, 3))], None),
        (_meta("product", title="AX系列产品宣传册", tags=["宣传"], product="AX-200"),
         [FileVersion("AX系列产品宣传册.pdf", "pdf", Content("AX 系列：让每台设备在线", [
             ("", ["面向零售、交通与制造业的工业级路由器与边缘计算网关。",
                   "AX-200：适用于自助终端与售货机的LTE路由器；AX-300：贴近设备的边缘计算。",
                   "云端统一管理，十年供货保障。"])], chinese=True), date(2025, 2, 3))], None),
        (_meta("customer", title="Case study: Contoso Retail", customer="Contoso Retail",
               tags=["reference"]),
         [FileVersion("Case_Study_Contoso_Retail.docx", "docx", Content(
             "Contoso Retail cuts store downtime by 60%", [
                 ("Challenge", ["400 stores with DSL lines that failed several times a month."]),
                 ("Solution", ["AX-200 routers with LTE backup and Cloud Manager monitoring, "
                               "rolled out in nine weeks."]),
                 ("Result", ["Downtime fell by 60%; the IT team manages every store from one "
                             "screen."])]), date(2025, 8, 18))], None),
        (_meta("customer", title="客户案例：东海港务集团智慧港口", customer="东海港务集团",
               tags=["案例"]),
         [FileVersion("客户案例_东海港务集团_智慧港口.pdf", "pdf", Content(
             "东海港务集团：打造智慧港口", [
             ("客户挑战", ["码头设备分散，无线信号不稳定，龙门吊数据无法实时回传。"]),
             ("解决方案", ["部署120台AX-300边缘计算网关与工业路由器，数据就地处理后上传云端。"]),
             ("项目成效", ["设备联网率提升到99%，故障响应时间缩短一半。"])], chinese=True),
             date(2025, 5, 9))], None),
        (_meta("customer", title="Proposal: Smart Campus Network – Woodgrove Bank",
               customer="Woodgrove Bank"),
         [FileVersion("Proposal_Smart_Campus_Woodgrove_Bank.docx", "docx", Content(
             "Proposal: Smart Campus Network for Woodgrove Bank", [
                 ("Your goals", ["One secure network for the new headquarters campus: offices, "
                                 "cameras, access control."]),
                 ("Our proposal", ["48 SW-24P switches, AX-300 gateways for building "
                                   "automation, Cloud Manager for three years."]),
                 ("Investment", ["EUR 410,000 one-off, EUR 36,000 per year for subscriptions "
                                 "and service."])]), date(2026, 3, 2))], None),
        (_meta("customer", title="智慧工厂网络建设方案 – 华信制造", customer="华信制造"),
         [FileVersion("智慧工厂网络建设方案_华信制造.docx", "docx", Content(
             "华信制造智慧工厂网络建设方案", [
             ("项目背景", ["华信制造新建两条自动化产线，需要稳定的车间网络与设备数据采集。"]),
             ("建设方案", ["核心采用SW-24P交换机组网，产线部署AX-300边缘网关采集PLC数据，"
                       "通过云管理平台统一运维。"]),
             ("投资估算", ["设备与实施费用合计人民币一百二十万元，分两期实施。"])], chinese=True),
             date(2026, 4, 20))], None),
        (_meta("customer", title="Quotation Q-2025-0117 – Contoso Retail",
               customer="Contoso Retail"),
         [FileVersion("Quote_Q-2025-0117_Contoso.pdf", "pdf", Content(
             "Quotation Q-2025-0117", [
                 ("", ["Customer: Contoso Retail Ltd., purchasing department.",
                       "Valid for 30 days from 14 March 2025. Prices in EUR excl. VAT."])],
             [["Item", "Qty", "Unit price", "Total"],
              ["AX-200-EU", "120", price(420 * 0.82, 2025), ""],
              ["SW-24P-EU", "12", price(640 * 0.82, 2025), ""],
              ["CM-SUB-3Y", "120", price(95 * 0.82, 2025), ""]]), date(2025, 3, 14))], None),
    ]


def _other() -> list[tuple[DocumentMeta, list[FileVersion], str | None]]:
    return [
        (_meta("other", title="Travel Expense Policy 2024"),
         [FileVersion("Travel_Expense_Policy_2024.md", "md", Content("Travel Expense Policy 2024", [
             ("Scope", ["Applies to all employees travelling for customer visits and trade "
                        "fairs in 2024."]),
             ("Rules", ["Book economy class; hotels up to EUR 140 per night; receipts within "
                        "30 days."])]), date(2024, 1, 3))], None),
        (_meta("other", title="IT Security Policy"),
         [FileVersion("IT_Security_Policy.md", "md", Content("IT Security Policy", [
             ("Passwords", ["Use the password manager; never reuse passwords."]),
             ("Customer data", ["Contracts and price lists are confidential; share them only "
                                "through the document service."])]), date(2025, 4, 1))], None),
        (_meta("other", title="Sales Kickoff 2026 Agenda", tags=["event"]),
         [FileVersion("Sales_Kickoff_2026_Agenda.pptx", "pptx", Content(
             "Sales Kickoff 2026", [
                 ("Day 1", ["Welcome and 2025 results.", "Product roadmap: AX-200 successor, "
                            "Cloud Manager analytics.", "The 2026 price list and what changed."]),
                 ("Day 2", ["Negotiation training.", "Partner programme and deal "
                            "registration."])]), date(2026, 1, 14))], None),
        (_meta("customer", title="RE: quotation request", customer="Contoso Retail"),
         [FileVersion("RE_quotation_request_Contoso.eml", "eml", Content(
             "RE: quotation request for store routers", [
                 ("", ["Hello, please send us a quotation for 120 AX-200-EU routers, 12 "
                       "switches and three years of Cloud Manager.",
                       "We need the offer by Friday for our budget meeting. Regards, "
                       "Purchasing, Contoso Retail"])]), date(2025, 3, 12))], None),
        (_meta("other", title="Warranty and RMA Policy"),
         [FileVersion("Warranty_and_RMA_Policy.docx", "docx", Content("Warranty and RMA Policy", [
             ("Warranty", ["All AX and SW products carry a five-year warranty from the date of "
                           "delivery. LT-10 modules carry two years."]),
             ("Returns (RMA)", ["Request an RMA number in the partner portal; defective units "
                                "are replaced within five working days."])]), date(2024, 9, 9))],
         None),
        (_meta("other", title="Newsletter December 2025"),
         [FileVersion("Newsletter_2025_12.html", "html", Content("Northwind News – December 2025", [
             ("Latest news", ["The new price list takes effect in January. Current promotions "
                              "end on 31 December.", "The latest AX-200 firmware adds Wi-Fi 6 "
                              "mesh support."]),
             ("People", ["Welcome to our new account managers in Lyon and Milan."])]),
             date(2025, 12, 1))], None),
        (_meta("product", title="AX-200 firmware release notes", product="AX-200"),
         [FileVersion("AX-200_firmware_3.2_release_notes.txt", "txt", Content(
             "AX-200 firmware 3.2 release notes", [
                 ("New", ["Wi-Fi 6 mesh support; LTE band locking; faster boot."]),
                 ("Fixed", ["The datasheet value for power consumption was wrong in the web "
                            "interface."])]), date(2025, 11, 20))], None),
    ]
