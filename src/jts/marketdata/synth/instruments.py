"""A synthetic KRX instrument master: Korean-style names, realistic codes, markets and ETFs.

Names are invented from common Korean company-name parts ("한빛" + "전자") and ETF brand +
theme pairs ("TIGER 반도체"); any likeness to a listed company is accidental. Codes follow
KRX.md §1: mostly six digits ending in 0, and about 5% in the 2024 format with a letter in the
5th position and a 2nd character of 0-4 ("0037T0"; I, O and U are never used).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from jts.core.codes import validate_symbol
from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.marketdata.synth.keys import Stream, generator

_PREFIXES: Final = (
    "한빛",
    "대성",
    "동해",
    "서해",
    "남해",
    "태광",
    "세원",
    "우진",
    "한솔",
    "미래",
    "신성",
    "대한",
    "동양",
    "금강",
    "한울",
    "국제",
    "제일",
    "유진",
    "새한",
    "삼진",
    "경인",
    "영남",
    "호남",
    "중앙",
    "한결",
    "푸른",
    "은하",
    "백두",
    "한라",
    "청솔",
    "대림",
    "동아",
    "삼화",
    "한성",
    "세명",
    "오성",
    "진흥",
    "광명",
    "아주",
    "동방",
    "해성",
    "신화",
    "일진",
    "선경",
    "나래",
)
_CORES: Final = (
    "전자",
    "바이오",
    "화학",
    "제약",
    "건설",
    "중공업",
    "반도체",
    "에너지",
    "식품",
    "소재",
    "통신",
    "철강",
    "물산",
    "테크",
    "시스템",
    "로보틱스",
    "엔터",
    "게임즈",
    "모빌리티",
    "헬스케어",
    "산업",
    "정밀",
    "금속",
    "해운",
    "항공",
    "디스플레이",
    "텍스타일",
    "제지",
    "유리",
    "전기",
    "기계",
    "제강",
    "홈쇼핑",
    "리츠",
    "캐피탈",
    "네트웍스",
    "메디칼",
    "솔루션",
    "인더스트리",
    "에코",
)
_TAILS: Final = ("", "홀딩스", "글로벌", "머티리얼즈")

_ETF_BRANDS: Final = (
    "KODEX",
    "TIGER",
    "RISE",
    "ACE",
    "SOL",
    "HANARO",
    "PLUS",
    "KOSEF",
    "ARIRANG",
    "TIMEFOLIO",
)
_ETF_THEMES: Final = (
    "200",
    "코스닥150",
    "반도체",
    "2차전지산업",
    "은행",
    "증권",
    "헬스케어",
    "고배당",
    "배당성장",
    "KRX300",
    "미국S&P500",
    "미국나스닥100",
    "국고채3년",
    "단기채권",
    "골드선물(H)",
    "자동차",
    "조선",
    "방산",
    "인도니프티50",
    "일본니케이225",
    "200선물인버스",
    "레버리지",
    "코스닥150레버리지",
    "200선물인버스2X",
)
_LEVERAGED: Final = ("레버리지", "인버스2X")

_LETTERS: Final = [c for c in "ABCDEFGHJKLMNPQRSTVWXYZ"]
"""Letters KRX uses in the 5th code position since 2024 (never I, O or U)."""

LETTER_CODE_SHARE: Final = 0.05
NXT_SHARE: Final = 0.3
"""Share of stocks marked NXT-eligible: the "larger" names (NXT lists ~800 of ~2,600)."""


def max_universe_size() -> int:
    """The most instruments `make_universe` can name uniquely."""
    return len(_PREFIXES) * len(_CORES) * len(_TAILS) + len(_ETF_BRANDS) * len(_ETF_THEMES)


def make_universe(
    n: int, *, seed: int, etf_share: float = 0.05, codes: Sequence[str] = ()
) -> list[Instrument]:
    """`n` synthetic instruments with unique names and codes, sorted by code.

    About `etf_share` of them are KOSPI ETFs (a few leveraged 2x); the stocks are ~35% KOSPI,
    the rest KOSDAQ, plus n // 400 KONEX names once n >= 400. The first ~30% of the stocks
    (in a seeded order) are NXT-eligible, standing in for the larger names.

    `codes` are included as KOSPI stocks, NXT-eligible, with invented names, so that a
    simulator can ask for well-known codes ("005930"); they count towards `n`.
    """
    given = [validate_symbol(code) for code in dict.fromkeys(codes)]
    if not len(given) <= n <= max_universe_size():
        raise InvalidInput("n", f"{n} must be between {len(given)} and {max_universe_size()}")
    if not 0.0 <= etf_share <= 1.0:
        raise InvalidInput("etf_share", f"{etf_share} is not a fraction in [0, 1]")
    rng = generator(seed, Stream.UNIVERSE, ordinal=n)
    n_new = n - len(given)
    n_etf = min(round(n * etf_share), n_new, len(_ETF_BRANDS) * len(_ETF_THEMES))
    new_codes = _codes(rng, n_new, set(given))
    etfs = [
        _etf(code, name)
        for code, name in zip(new_codes[:n_etf], _etf_names(rng, n_etf), strict=True)
    ]
    stocks = _stocks(rng, new_codes[n_etf:], n_given=len(given), universe_size=n)
    names = _stock_names(rng, len(given) + len(stocks))
    chosen = [
        Instrument(symbol=code, name=name, market=Market.KOSPI, nxt_eligible=True)
        for code, name in zip(given, names, strict=False)
    ]
    chosen += [
        Instrument(symbol=s.symbol, name=name, market=s.market, nxt_eligible=s.nxt_eligible)
        for s, name in zip(stocks, names[len(given) :], strict=True)
    ]
    return sorted(chosen + etfs, key=lambda inst: inst.symbol)


def _codes(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    """`count` new unique codes, ~5% in the 2024 letter format, avoiding `taken`."""
    found: list[str] = []
    seen = set(taken)
    while len(found) < count:
        batch = max(count - len(found), 16) * 2
        digits = rng.integers(1, 100_000, size=batch)
        letters = rng.random(batch) < LETTER_CODE_SHARE
        picks = rng.integers(0, len(_LETTERS), size=batch)
        for number, is_letter, pick in zip(digits, letters, picks, strict=True):
            code = _letter_code(int(number), _LETTERS[pick]) if is_letter else f"{number:05d}0"
            if code not in seen and len(found) < count:
                seen.add(code)
                found.append(code)
    return found


def _letter_code(number: int, letter: str) -> str:
    """A 2024-format stock code: "0", a 2nd char 0-4, two digits, a letter, "0" ("0037T0")."""
    return f"0{number % 5}{number // 5 % 100:02d}{letter}0"


def _stock_names(rng: np.random.Generator, count: int) -> list[str]:
    space = len(_PREFIXES) * len(_CORES) * len(_TAILS)
    # Plain "prefix + core" names first (the common shape), then those with a tail.
    plain = len(_PREFIXES) * len(_CORES)
    order = np.concatenate([rng.permutation(plain), plain + rng.permutation(space - plain)])
    names = []
    for k in order[:count].tolist():
        tail, rest = divmod(k, plain)
        prefix, core = divmod(rest, len(_CORES))
        names.append(_PREFIXES[prefix] + _CORES[core] + _TAILS[tail])
    return names


def _etf_names(rng: np.random.Generator, count: int) -> list[str]:
    picks = rng.permutation(len(_ETF_BRANDS) * len(_ETF_THEMES))[:count].tolist()
    return [
        f"{_ETF_BRANDS[k % len(_ETF_BRANDS)]} {_ETF_THEMES[k // len(_ETF_BRANDS)]}" for k in picks
    ]


def _etf(code: str, name: str) -> Instrument:
    leverage = 2 if name.endswith(_LEVERAGED) else 1
    return Instrument(
        symbol=code, name=name, market=Market.KOSPI, kind=InstrumentKind.ETF, leverage=leverage
    )


class _Stock:
    __slots__ = ("market", "nxt_eligible", "symbol")

    def __init__(self, symbol: str, market: Market, nxt_eligible: bool) -> None:
        self.symbol, self.market, self.nxt_eligible = symbol, market, nxt_eligible


def _stocks(
    rng: np.random.Generator, codes: list[str], *, n_given: int, universe_size: int
) -> list[_Stock]:
    """Markets and NXT eligibility for the generated stocks, in a seeded order."""
    count = len(codes)
    total = count + n_given
    n_konex = min(universe_size // 400, count)
    n_nxt = max(round(total * NXT_SHARE) - n_given, 0)
    rank = rng.permutation(count)
    kospi = rng.random(count) < 0.35
    stocks = []
    for code, r, is_kospi in zip(codes, rank.tolist(), kospi.tolist(), strict=True):
        market = Market.KONEX if r >= count - n_konex else _kospi_or_kosdaq(is_kospi)
        stocks.append(_Stock(code, market, r < n_nxt and market is not Market.KONEX))
    return stocks


def _kospi_or_kosdaq(is_kospi: bool) -> Market:
    return Market.KOSPI if is_kospi else Market.KOSDAQ
