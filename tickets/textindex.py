"""What the order search index holds, and how a search is read (issues #12 and #16).

PostgreSQL on Debian ships no Chinese text-search parser, so the text is segmented here, in
Python, with jieba (its bundled dictionary; nothing is downloaded), and stored as a ready-made
`tsvector` literal in `WorkOrder.search_vector`. No PostgreSQL parser touches it (the literal is
cast, not parsed by `to_tsvector`), so the result does not depend on the database's locale; the
configuration is in effect `simple`: no stemming, no stop words.

An order's document holds, for its address and its content:

- jieba's search-mode words (`cut_for_search`, HMM off so that a text is cut the same way whatever
  surrounds it): 夜间噪音扰民 → 夜间, 噪音, 扰民; 城关镇 → 城关, 关镇, 城关镇. Weight A for the
  address, B for the content.
- the overlapping two-character pieces (bigrams) of every run of text, at consecutive positions
  from BIGRAM_BASE, weight C for the address and D for the content. A phrase of bigrams
  (幸福 <-> 福小 <-> 小区) is a substring match, so whatever run of two or more characters the
  dispatcher remembers is found, even where jieba cut the document differently.

A search part (the query split at spaces and punctuation) matches when all its words are there
OR its bigrams are there in a row; parts are AND-ed. `ts_rank` then puts word matches (A, B) above
substring-only matches (C, D) and the address above the content.

Everything here is plain Python (no models), so models, selectors and commands can all use it.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator

import jieba

jieba.setLogLevel(logging.WARNING)

# Positions: words from 1, bigrams from BIGRAM_BASE, so a phrase of bigrams never runs into a word.
# A tsvector keeps positions up to 16383 and 256 positions per lexeme.
BIGRAM_BASE = 8192
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME = 64
# A query longer than this is cut: the search box allows 100 characters anyway.
MAX_QUERY_PARTS = 8
MAX_QUERY_UNITS = 32

WEIGHT_ADDRESS_WORD, WEIGHT_CONTENT_WORD = "A", "B"
WEIGHT_ADDRESS_BIGRAM, WEIGHT_CONTENT_BIGRAM = "C", "D"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A unit is one Chinese character or a run of other letters and digits; anything else separates.
_UNIT_RE = re.compile(rf"([{_CJK}])|([^\W_{_CJK}]+)|([\W_]+)")
_WORD_RE = re.compile(r"[^\W_]+")

# Function words a person may type in a search ("小区的噪音") that need not be in the order.
# Only the query's word branch drops them; the document keeps every word.
QUERY_STOP_WORDS = frozenset("的了和与及或在是有被把对从向也都就还又很我你他她它们这那")

_ready = threading.Lock()
_initialised = False


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) rather than in the first request that needs it."""
    global _initialised
    if _initialised:
        return
    with _ready:
        if not _initialised:
            jieba.initialize()
            _initialised = True


def normalize(text: str | None) -> str:
    """Full-width forms folded (ＧＤ１２ → gd12), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _cut_words(text: str, *, search_mode: bool) -> Iterator[str]:
    warm_up()
    cut = jieba.cut_for_search(text, HMM=False) if search_mode else jieba.cut(text, HMM=False)
    for token in cut:
        for word in _WORD_RE.findall(token):
            yield word[:MAX_LEXEME]


def _runs(text: str) -> Iterator[list[str]]:
    """The runs of units between separators: "幸福小区7栋, 302室" → [幸 福 小 区 7 栋], [302 室]."""
    run: list[str] = []
    for cjk, other, _sep in _UNIT_RE.findall(text):
        unit = cjk or other
        if unit:
            run.append(unit[:MAX_LEXEME])
        elif run:
            yield run
            run = []
    if run:
        yield run


def _bigrams(run: list[str]) -> list[str]:
    return [(a + b)[:MAX_LEXEME] for a, b in zip(run, run[1:], strict=False)]


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# --- the document ------------------------------------------------------------------------------


def document_lexemes(*, content: str, address: str) -> dict[str, list[tuple[int, str]]]:
    """Lexeme → [(position, weight)] of an order's address and content."""
    lexemes: dict[str, list[tuple[int, str]]] = {}

    def add(lexeme: str, position: int, weight: str) -> None:
        positions = lexemes.setdefault(lexeme, [])
        if len(positions) < MAX_POSITIONS_PER_LEXEME:
            positions.append((min(position, MAX_POSITION), weight))

    position = 1
    for text, weight in ((address, WEIGHT_ADDRESS_WORD), (content, WEIGHT_CONTENT_WORD)):
        for word in _cut_words(normalize(text), search_mode=True):
            add(word, min(position, BIGRAM_BASE - 1), weight)
            position += 1
    position = BIGRAM_BASE
    for text, weight in ((address, WEIGHT_ADDRESS_BIGRAM), (content, WEIGHT_CONTENT_BIGRAM)):
        for run in _runs(normalize(text)):
            for bigram in _bigrams(run):
                add(bigram, position, weight)
                position += 1
            # A gap, so that a phrase never spans punctuation or the end of the address.
            position += 1
    return lexemes


def document_vector(*, content: str, address: str) -> str:
    """The `tsvector` literal of an order: what `WorkOrder.search_vector` stores."""
    lexemes = document_lexemes(content=content, address=address)
    return " ".join(
        _quote(lexeme) + ":" + ",".join(f"{p}{w}" for p, w in positions) for lexeme, positions in lexemes.items()
    )


_VECTOR_ITEM_RE = re.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")


def content_words_of_vector(vector: str | None) -> set[str]:
    """The content's words in a stored vector (as PostgreSQL prints it): the weight-B lexemes."""
    words = set()
    for lexeme, positions in _VECTOR_ITEM_RE.findall(vector or ""):
        if "B" in positions:
            words.add(lexeme.replace("''", "'"))
    return words


def content_words(text: str) -> set[str]:
    """The words `content_words_of_vector` would read from an order with this content."""
    return set(_cut_words(normalize(text), search_mode=True))


def word_similarity(a: set[str], b: set[str]) -> float:
    """Dice's coefficient of two word sets, function words left out: 1.0 the same words, 0 none shared."""
    a, b = a - QUERY_STOP_WORDS, b - QUERY_STOP_WORDS
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


# --- the query ---------------------------------------------------------------------------------


def _clause(run: list[str]) -> str:
    """One run of the query: its words all there, or its bigrams there in a row."""
    if len(run) == 1:
        # One character or one number: any word or bigram that starts with it.
        return _quote(run[0]) + ":*"
    text = "".join(run)
    words = []
    for word in _cut_words(text, search_mode=False):
        if word not in QUERY_STOP_WORDS and word not in words:
            words.append(word)
    phrase = " <-> ".join(_quote(b) for b in _bigrams(run))
    if not words or words == _bigrams(run):
        return f"( {phrase} )"
    return f"( ( {' & '.join(_quote(w) for w in words)} ) | ( {phrase} ) )"


def query_runs(q: str) -> list[list[str]]:
    runs = []
    for part in normalize(q).split()[:MAX_QUERY_PARTS]:
        for run in _runs(part):
            runs.append(run[:MAX_QUERY_UNITS])
    return runs[:MAX_QUERY_PARTS]


def text_query(q: str) -> str | None:
    """The `tsquery` literal of a search, or None when it holds nothing searchable (only punctuation)."""
    runs = query_runs(q)
    if not runs:
        return None
    return " & ".join(_clause(run) for run in runs)


def or_query(words: Iterable[str]) -> str | None:
    """A `tsquery` literal matching any of `words` (similar orders: the words of a new order)."""
    words = sorted({w for w in words if w and w not in QUERY_STOP_WORDS})
    return " | ".join(_quote(w) for w in words) or None


# --- numbers and addresses ---------------------------------------------------------------------

# An order number, a 12345 number or a phone: letters, digits, dashes and spaces, at least three
# digits. "GD2026", "13812345678", "5678", "SD12345-20261122-00017".
_NUMBER_RE = re.compile(r"^[a-z0-9+\-\s]+$")
MIN_NUMBER_DIGITS = 3


def looks_like_number(q: str) -> bool:
    q = normalize(q).strip()
    return bool(_NUMBER_RE.match(q)) and sum(c.isdigit() for c in q) >= MIN_NUMBER_DIGITS


def compact_number(q: str) -> str:
    """What is matched against the number columns: the query without spaces, upper case."""
    return re.sub(r"\s+", "", normalize(q)).upper()


def normalize_address(address: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", address or ""))


# Leading divisions (省, 市, 区, 县, 镇, 乡, 街道) are dropped: orders name them or leave them out.
# Not 小区/社区/园区 (places), not 市场 (a market).
_ADMIN_RE = re.compile(r"^(?:[^\d\W]{1,8}?(?:省|自治区|市(?!场)|县|(?<![小社园])区|镇|乡|街道|办事处))+")
# The first place an address names: a community (小区, 花园, 苑 …) or a road (路, 街, 巷 …).
_PLACE_RE = re.compile(r"[^\d\W]{1,12}?(?:小区|花园|家园|公寓|大厦|广场|社区|新村|村|苑|园|路|大道|街|巷|弄|胡同)")
MIN_PLACE = 3


def place_of(address: str | None) -> str | None:
    """The community or road an address names, without the divisions before it; None if none.

    城关街道幸福小区3号楼 → 幸福小区; 人民路88号 → 人民路; 城关镇翠微苑5栋 → 翠微苑. Two orders that
    name the same place are neighbours. Shorter than three characters is too vague to search on.
    """
    rest = _ADMIN_RE.sub("", normalize_address(address))
    match = _PLACE_RE.search(rest)
    if not match or len(match.group(0)) < MIN_PLACE:
        return None
    return match.group(0)
