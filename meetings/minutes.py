"""Minutes to decisions: split pasted meeting minutes (会议纪要) into their numbered items.

Pure functions, no database. An item starts at the beginning of a line with a number in
one of the usual styles; the style of the first such line is the style of the items, so
sub-points in another style (一、 … （一） …) stay inside their item. Text before the first
item (the preamble: who met, when, what was heard) is ignored, wrapped lines are joined,
and a number inside a sentence (完成3.5亿元投资) never starts an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
CHINESE_NUMERAL = "[一二三四五六七八九十百零〇]{1,4}"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Each style: its name and the pattern of a line's start; group "n" holds the number.
STYLES: list[tuple[str, re.Pattern[str]]] = [
    ("chinese", re.compile(rf"(?P<n>{CHINESE_NUMERAL})[、．.]")),
    ("chinese_paren", re.compile(rf"[（(](?P<n>{CHINESE_NUMERAL})[）)]")),
    ("arabic_paren", re.compile(r"[（(](?P<n>\d{1,3})[）)]")),
    # "1." or "1．" but not "3.5亿元" or "2026.9.29": no digit may follow the dot.
    ("arabic_dot", re.compile(r"(?P<n>\d{1,3})[.．](?!\d)")),
    ("arabic_comma", re.compile(r"(?P<n>\d{1,3})、")),
    ("circled", re.compile(rf"(?P<n>[{CIRCLED}])")),
]

# Lines that close the minutes: attendance and distribution lists after the items.
FOOTER = re.compile(r"(出席|列席|请假|缺席|参加会议|参会人员|记录|抄送|分送|发送|印发|主送)[:：]")


@dataclass(frozen=True)
class Marker:
    style: str
    number: int
    rest: str


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 九十九 → 99; None if it is not a plain numeral."""
    if not text:
        return None
    if text.startswith("十"):
        text = "一" + text
    total, current = 0, 0
    for char in text:
        if char in CHINESE_DIGITS:
            current = CHINESE_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _number(style: str, raw: str) -> int | None:
    if style in {"chinese", "chinese_paren"}:
        return chinese_number(raw)
    if style == "circled":
        return CIRCLED.index(raw) + 1
    return int(raw)


def marker_of(line: str) -> Marker | None:
    """The item number a line starts with, if any."""
    for style, pattern in STYLES:
        match = pattern.match(line)
        if match is None:
            continue
        number = _number(style, match.group("n"))
        if number:
            return Marker(style, number, line[match.end() :].strip())
    return None


def _is_wide(char: str) -> bool:
    return ord(char) > 0x2E7F


def _join(parts: list[str]) -> str:
    """Join the lines of one item: no space between Chinese, one between Latin words."""
    text = ""
    for part in parts:
        if text and part and not (_is_wide(text[-1]) or _is_wide(part[0])):
            text += " "
        text += part
    return text.strip()


def split_minutes(text: str) -> list[str]:
    """The numbered items of the minutes, in order, each as one line of text."""
    items: list[list[str]] = []
    style, last_number = None, 0
    for raw_line in (text or "").splitlines():
        line = raw_line.strip()
        if not line:
            continue
        marker = marker_of(line)
        if marker is not None and style is None:
            style, last_number = marker.style, marker.number
            items.append([marker.rest])
            continue
        if style is None:
            continue  # the preamble
        if FOOTER.match(line):
            break
        # A new item has the items' style and a higher number; anything else (a sub-point,
        # a wrapped line that happens to start with a number) belongs to the current item.
        if marker is not None and marker.style == style and marker.number > last_number:
            last_number = marker.number
            items.append([marker.rest])
        else:
            items[-1].append(line)
    return [joined for joined in (_join(parts) for parts in items) if joined]


def decision_title(text: str, limit: int = 60) -> str:
    """A task title from a decision: its first sentence, cut to `limit` characters."""
    text = _join(text.split())
    first = re.split(r"(?<=[。！？；!?;])", text, maxsplit=1)[0].strip()
    first = first.rstrip("。；;") or text
    if len(first) > limit:
        first = first[: limit - 1].rstrip() + "…"
    return first
