"""Synthetic news articles for the benchmark: deterministic, varied, about 1,500 characters each.

Each article names people, a measure and dated deadlines, so the echo model
has something to extract and grounding has real work to do.
"""

from __future__ import annotations

import random
from pathlib import Path

PEOPLE = [
    ("Treasury Secretary", "Scott Bessent"), ("Trade Representative", "Jamieson Greer"),
    ("Vice Premier", "He Lifeng"), ("Commerce Minister", "Wang Wentao"), ("Trade Commissioner", "Maros Sefcovic"),
    ("Finance Minister", "Lars Klingbeil"), ("IMF Managing Director", "Kristalina Georgieva"),
    ("Prime Minister", "Anwar Ibrahim"), ("Economy Minister", "Ana Castillo"), ("Energy Secretary", "Chris Wright"),
]
GOODS = ["steel", "rare earth magnets", "soybeans", "semiconductors", "electric vehicles", "solar panels", "shipping"]
MEASURES = ["tariffs", "export controls", "port fees", "anti-dumping duties", "purchase commitments"]
CITIES = ["Kuala Lumpur", "Geneva", "London", "Stockholm", "Madrid", "Busan", "Brussels"]
MONTHS = ["October", "November", "December"]


def article(i: int) -> str:
    rng = random.Random(i)
    (role_a, a), (role_b, b) = rng.sample(PEOPLE, 2)
    goods, measure, city = rng.choice(GOODS), rng.choice(MEASURES), rng.choice(CITIES)
    day1, day2 = rng.randint(1, 28), rng.randint(1, 28)
    month1, month2 = rng.choice(MONTHS), rng.choice(MONTHS)
    rate = rng.choice([10, 15, 20, 25, 35, 50, 100])
    return (
        f"Talks on {goods} resume in {city} (report {i})\n\n"
        f"{role_a} {a} met {role_b} {b} in {city} on Monday to discuss {measure} on {goods}, "
        f"officials said after the meeting, the {i}th round of such talks this year.\n\n"
        f"{a} said the {measure} of {rate}% would take effect on {month1} {day1} unless both sides reached "
        f"an agreement before then. {b} said his side was ready to respond in kind.\n\n"
        f"The two delegations agreed to meet again on {month2} {day2}, according to a joint statement. "
        f"Analysts said the {month1} {day1} deadline left little time, and that markets in {city} "
        f"had already priced in the {measure}.\n\n"
        f"It was not clear whether the {measure} would also cover {rng.choice(GOODS)}, or whether "
        f"exemptions agreed earlier in the year would remain in force. A spokesperson for {b} declined "
        f"to comment on the timing of any announcement.\n"
    )


def write_articles(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"article-{i:05d}.txt"
        path.write_text(article(i), encoding="utf-8")
        paths.append(path)
    return paths
