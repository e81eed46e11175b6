"""Holders: resident IDs valid under GB 11643, names, sex and age as in the trades.

Uniqueness is by construction, not by a set of every ID: for each (county, birth year, sex) a
counter ``k`` is mapped through a fixed affine permutation of the 365 x 500 (day, sequence) slots
of that year, so the n-th holder of a key never repeats an earlier one. Memory is bounded by the
number of keys (counties x years x 2), whatever the scale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from stdnum.cn import ric

from opcert.services.synth.geography import PROVINCES, WEIGHTS, counties

SLOTS_PER_YEAR = 365 * 500  # days x sequence numbers of one sex
_STRIDE = 7919  # prime, coprime with SLOTS_PER_YEAR: k -> (STRIDE * k + offset) is a bijection

# Frequent surnames with rough relative frequencies, then a long tail of common ones.
SURNAMES = (
    [("王", 72), ("李", 70), ("张", 66), ("刘", 54), ("陈", 47), ("杨", 32), ("黄", 25)]
    + [("赵", 22), ("吴", 20), ("周", 20), ("徐", 15), ("孙", 13), ("马", 12), ("朱", 12)]
    + [("胡", 11), ("郭", 11), ("何", 10), ("高", 10), ("林", 10), ("罗", 9), ("郑", 9)]
    + [(c, 5) for c in "梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"]
    + [(c, 3) for c in "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"]
)
_SURNAME_CHARS = [s for s, _ in SURNAMES]
_SURNAME_CUMULATIVE = list(accumulate(w for _, w in SURNAMES))  # choices() would sum each call
_PROVINCE_CUMULATIVE = list(accumulate(WEIGHTS))
GIVEN_MALE = "伟强磊军洋勇杰涛明超平刚华建国志文斌宇浩凯鹏飞俊峰海波辉亮成东林鑫健斌雷龙永春晨"
GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞桂英红燕玲萍婷雪琳慧莉梅兰凤洁琴云"


@dataclass(frozen=True, slots=True)
class Holder:
    id_number: str
    name: str
    sex: int  # 1 male, 2 female (GB/T 2261.1)
    birth_on: date
    division: str
    province: str


class IdentityAllocator:
    """Hands out distinct ID numbers; deterministic for the order of calls."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, int, int], int] = {}

    def allocate(self, county: str, year: int, sex: int) -> tuple[date, str]:
        """(birth date, ID number) for the next holder of this county, birth year and sex.

        Raises ``OverflowError`` when a key's 182,500 slots are used up (a scale far beyond 1).
        """
        key = (county, year, sex)
        k = self._next.get(key, 0)
        if k >= SLOTS_PER_YEAR:
            raise OverflowError(f"no free ID numbers left for {key}")
        self._next[key] = k + 1
        offset = (int(county) * 31 + year * 7 + sex) % SLOTS_PER_YEAR
        slot = (_STRIDE * k + offset) % SLOTS_PER_YEAR
        born = date(year, 1, 1) + timedelta(days=slot // 500)
        sequence = (slot % 500) * 2 + (1 if sex == 1 else 0)  # odd for men, even for women
        body = f"{county}{born:%Y%m%d}{sequence:03d}"
        return born, body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder digit


def age(rng: random.Random, sex: int) -> int:
    """Age today: men 20-58 (most in their thirties and forties), women 20-50."""
    if sex == 1:
        return round(rng.triangular(20, 58, 38))
    return round(rng.triangular(20, 50, 34))


def name(rng: random.Random, sex: int) -> str:
    """A plausible two- or three-character name."""
    given = GIVEN_MALE if sex == 1 else GIVEN_FEMALE
    length = 1 if rng.random() < 0.3 else 2
    surname = rng.choices(_SURNAME_CHARS, cum_weights=_SURNAME_CUMULATIVE)[0]
    return surname + "".join(rng.choice(given) for _ in range(length))


def holder(rng: random.Random, ids: IdentityAllocator, today: date) -> Holder:
    """One holder: 87% men, home county drawn by provincial population."""
    province = rng.choices(PROVINCES, cum_weights=_PROVINCE_CUMULATIVE)[0]
    county = rng.choice(counties(province.code))
    sex = 1 if rng.random() < 0.87 else 2
    born, number = ids.allocate(county, today.year - age(rng, sex), sex)
    return Holder(number, name(rng, sex), sex, born, county, province.code)
