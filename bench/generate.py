"""Deterministic sales documents in English, Chinese and both, mixed with real corpus text.

``sales_documents(count, pool=...)`` yields the same documents for the same arguments on any
machine: document ``n`` depends only on ``seed``, ``n`` and the pool (passages of real text,
see bench/corpus.py; without one, generated sentences stand in). Titles, products, customers,
years and tags follow the data model (categories, subtypes, customer dimensions), so the
benchmark queries (``router price list 2024``, ``2024 价格表``, ``category:contract``...) hit
realistic result sets.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

PRODUCTS = (
    ("AX-200", "industrial router", "工业路由器"), ("AX-300", "industrial router", "工业路由器"),
    ("GW-10", "edge gateway", "边缘网关"), ("GW-20", "edge gateway", "边缘网关"),
    ("SW-48", "managed switch", "管理型交换机"), ("SW-24", "managed switch", "管理型交换机"),
    ("CM-5", "camera module", "摄像头模组"), ("SN-1", "temperature sensor", "温度传感器"),
    ("PL-9", "power supply", "电源模块"), ("FW-7", "firewall appliance", "防火墙设备"),
    ("AP-6", "wireless access point", "无线接入点"), ("CL-1", "cloud console", "云管理平台"),
)
CUSTOMERS = (
    ("Acme Corp", "manufacturing", "North America"), ("Globex", "energy", "Europe"),
    ("Initech", "software", "North America"), ("Umbrella Health", "healthcare", "Europe"),
    ("Stark Logistics", "logistics", "Asia Pacific"), ("Wayne Retail", "retail", "North America"),
    ("华东电力", "energy", "华东"), ("南方物流", "logistics", "华南"),
    ("北京智造", "manufacturing", "华北"), ("成都医疗集团", "healthcare", "西南"),
    ("深圳零售", "retail", "华南"), ("上海银行", "finance", "华东"),
    ("Nordic Shipping", "logistics", "Europe"), ("Pacific Mining", "mining", "Asia Pacific"),
    ("Delta Airlines Cargo", "logistics", "North America"), ("Osaka Robotics", "manufacturing",
                                                             "Asia Pacific"),
)
CUSTOMER_TYPES = ("prospect", "current", "churned")
CUSTOMER_STAGES = ("first_contact", "qualified", "negotiation", "won")
YEARS = tuple(range(2019, 2026))
TEAMS = ("East sales", "West sales", "Key accounts", "Marketing", "Product", "Service",
         "China sales", "Partners")
TAGS = ("pricing", "renewal", "discount", "enterprise", "smb", "channel", "tender", "urgent",
        "q1", "q2", "q3", "q4", "emea", "apac", "draft", "approved", "重点客户", "续约", "招标")
EN_WORDS = ("warranty", "delivery", "installation", "support", "service", "discount", "reseller",
            "payment", "invoice", "throughput", "latency", "firmware", "upgrade", "training",
            "maintenance", "license", "subscription", "deployment", "network", "security",
            "performance", "reliability", "budget", "procurement", "partner", "region",
            "customer", "order", "shipment", "configuration", "compliance", "certificate")
ZH_WORDS = ("销售", "客户", "方案", "服务", "支持", "网络", "设备", "安装", "培训", "维护", "质量",
            "交付", "项目", "预算", "采购", "渠道", "合作伙伴", "市场", "竞争", "优势", "解决方案",
            "数据", "安全", "平台", "性能", "可靠性", "保修", "折扣", "订单", "发票", "付款",
            "条款", "升级", "部署", "许可证", "认证", "经销商", "区域", "年度", "季度")
# (category, subtype, weight, English titles, Chinese titles)
KINDS = (
    ("product", "price_list", 14, ("{name} price list {year}", "Pricing sheet {code} FY{yy}",
                                   "{code} quotation for resellers {year}"),
     ("{year}年{zh}价格表", "{code} 报价单 {year}")),
    ("product", "spec", 12, ("{code} {name} specification", "{code} datasheet v{v}"),
     ("{code} {zh}规格书", "{zh}参数表 {code}")),
    ("product", "manual", 10, ("{code} user manual", "{name} installation guide {code}"),
     ("{code} {zh}使用手册", "{zh}说明书 v{v}")),
    ("contract", "signed", 10, ("Master services agreement {customer} {year}",
                                "Signed contract {customer} {code}"),
     ("{customer}采购合同 {year}", "{customer} 服务协议（已签署）")),
    ("contract", "draft", 6, ("Draft agreement {customer}", "Contract draft {code} {customer}"),
     ("{customer}合同草案", "{code} 合同 草稿")),
    ("contract", "pending_signature", 4, ("Agreement for signature {customer} {year}",),
     ("{customer} 待签合同 {year}",)),
    ("contract", "expired", 3, ("Expired contract {customer} {year}",),
     ("{customer} 过期合同 {year}",)),
    ("campaign", "plan", 8, ("{year} Q{q} campaign plan {region}", "Launch plan {code} {year}"),
     ("{year}年第{q}季度市场活动方案", "{code} 营销活动计划")),
    ("campaign", "summary", 6, ("Campaign summary {region} {year}",),
     ("{year} 市场活动总结 {region}",)),
    ("campaign", "research_report", 6, ("Market research report {industry} {year}",),
     ("{industry}行业调研报告 {year}",)),
    ("customer", None, 12, ("{customer} account overview", "Meeting notes {customer} {year}"),
     ("{customer} 客户拜访记录", "{customer} 客户案例")),
    ("other", None, 9, ("Sales weekly report {year} week {w}", "Team handbook {year}"),
     ("销售周报 {year} 第{w}周", "团队手册 {year}")),
)
MEDIA_TYPES = (("application/pdf", "pdf", 55),
               ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx", 20),
               ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", 10),
               ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "pptx", 10),
               ("text/plain", "txt", 5))
PAGE_COUNTS = ((1, 35), (2, 30), (3, 20), (5, 10), (12, 5))
LANGUAGES = (("en", 60), ("zh", 25), ("zh,en", 15))
T = TypeVar("T")


@dataclass(frozen=True)
class SalesDoc:
    number: int
    title: str
    filename: str
    media_type: str
    pages: tuple[str, ...]
    category: str
    subtype: str | None
    product: str | None
    customer: int | None
    """Index into CUSTOMERS."""
    tags: tuple[str, ...]
    team: int
    """Index into TEAMS."""
    visibility: str
    year: int
    language: str
    versions: int


def sales_documents(count: int, *, pool: Sequence[str] = (), seed: int = 7,
                    start: int = 0) -> Iterator[SalesDoc]:
    for number in range(start, start + count):
        yield sales_document(number, pool=pool, seed=seed)


def sales_document(number: int, *, pool: Sequence[str] = (), seed: int = 7) -> SalesDoc:
    rng = random.Random(seed * 1_000_003 + number)
    category, subtype, _weight, en_titles, zh_titles = _weighted(rng, [(k, k[2]) for k in KINDS])
    language = _weighted(rng, LANGUAGES)
    code, name, zh_name = rng.choice(PRODUCTS)
    customer = rng.randrange(len(CUSTOMERS))
    year = rng.choice(YEARS)
    fields = {"code": code, "name": name, "zh": zh_name, "customer": CUSTOMERS[customer][0],
              "industry": CUSTOMERS[customer][1], "region": CUSTOMERS[customer][2],
              "year": year, "yy": year % 100, "q": rng.randint(1, 4), "v": rng.randint(1, 9),
              "w": rng.randint(1, 52)}
    titles = zh_titles if language == "zh" else en_titles
    title = rng.choice(titles).format(**fields)
    media_type, extension = _weighted(rng, [((m, e), w) for m, e, w in MEDIA_TYPES])
    pages = _pages(rng, language, fields, pool, _weighted(rng, PAGE_COUNTS))
    return SalesDoc(
        number=number, title=title, filename=_filename(title, number, extension),
        media_type=media_type, pages=pages, category=category, subtype=subtype,
        product=code if category in ("product", "campaign") or rng.random() < 0.5 else None,
        customer=customer if category in ("contract", "customer") or rng.random() < 0.3
        else None,
        tags=tuple(sorted(set(rng.sample(TAGS, rng.randint(0, 3))))),
        team=rng.randrange(len(TEAMS)), visibility=_weighted(rng, (("team", 70), ("org", 20),
                                                                   ("private", 10))),
        year=year, language=language, versions=2 if number % 10 == 3 else 1)


def _weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def _filename(title: str, number: int, extension: str) -> str:
    stem = "_".join(title.replace("/", " ").split())[:80]
    return f"{stem}_{number}.{extension}"


def _pages(rng: random.Random, language: str, fields: dict[str, object], pool: Sequence[str],
           count: int) -> tuple[str, ...]:
    pages = [_sales_text(rng, language, fields)]
    for _ in range(count - 1):
        if pool and rng.random() < 0.8:
            pages.append("\n".join(rng.choice(pool) for _ in range(rng.randint(1, 3))))
        else:
            pages.append(_sales_text(rng, language, fields))
    return tuple(pages)


def _sales_text(rng: random.Random, language: str, fields: dict[str, object]) -> str:
    parts = []
    if language in ("en", "zh,en"):
        parts.append(_english(rng, fields))
    if language in ("zh", "zh,en"):
        parts.append(_chinese(rng, fields))
    return "\n".join(parts)


def _english(rng: random.Random, fields: dict[str, object]) -> str:
    price = rng.randint(80, 9000)
    sentences = [
        f"The {fields['name']} {fields['code']} price list applies to every reseller in "
        f"{fields['region']} from 1 January {fields['year']}.",
        f"Unit price USD {price:,}; volume discount {rng.randint(3, 25)}% above "
        f"{rng.randint(10, 500)} units.",
        f"This agreement between {fields['customer']} and our company covers delivery, "
        f"installation and a {rng.randint(1, 5)}-year support plan.",
        f"Maximum throughput {rng.randint(1, 100)} Gbps, operating temperature -40 to 75 C, "
        f"firmware v{fields['v']}.{rng.randint(0, 9)}.",
        f"Contact the {fields['industry']} key account team for the {fields['year']} renewal "
        f"terms and the edge gateway bundle.",
    ]
    words = " ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(20, 120)))
    return " ".join(rng.sample(sentences, rng.randint(2, 5))) + " " + words.capitalize() + "."


def _chinese(rng: random.Random, fields: dict[str, object]) -> str:
    sentences = [
        f"{fields['zh']}{fields['code']}价格表适用于{fields['region']}地区的所有经销商，"
        f"自{fields['year']}年1月1日起生效。",
        f"本合同由{fields['customer']}与我公司签订，合同金额为{rng.randint(10, 900)}万元。",
        f"产品规格：最大吞吐量{rng.randint(1, 100)}Gbps，工作温度零下40至75摄氏度。",
        f"报价单有效期为三十天，批量采购可享受{rng.randint(3, 25)}%折扣。",
        f"{fields['year']}年市场活动总结：客户案例与渠道合作伙伴的反馈。",
    ]
    words = "".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(20, 150)))
    return "".join(rng.sample(sentences, rng.randint(2, 5))) + words + "。"
