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


def write_articles(folder: Path, count: int, first: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + count):
        path = folder / f"article-{i:05d}.txt"
        path.write_text(article(i), encoding="utf-8")
        paths.append(path)
    return paths


SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vo", "shi", "dar", "bel", "no", "tu", "gan", "el", "sor", "pe", "lin"]
TOPICS = ["water rights", "fishing quotas", "rail strike", "port expansion", "grain exports", "power outage",
          "bank merger", "mining ruling", "flood relief", "vaccine rollout", "border crossing",
          "pay deal", "airline bailout", "data breach", "bridge collapse", "wildfire evacuations"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def story_article(i: int, per_story: int = 10) -> str:
    """Article i of story i // per_story: each story has its own people, places, bodies and topic, as a real
    day's stories do; the articles of one story vary in what they report and how."""
    story = random.Random(f"story-{i // per_story}")
    person_a, person_b = f"{_name(story)} {_name(story)}", f"{_name(story)} {_name(story)}"
    city, body, thing = f"{_name(story)}ville", f"the {_name(story)} Council", _name(story)
    topic = f"the {thing} {story.choice(TOPICS)}"
    rng = random.Random(i)
    day, month = rng.randint(1, 28), rng.choice(MONTHS)
    lines = [
        f"{person_a} of {body} said in {city} on Monday that {topic} would be settled by {month} {day}.",
        f"{person_b} rejected the {thing} offer and called on {body} to reopen {topic}.",
        f"In {city}, {rng.randint(2, 90)} people protested outside {body} over {topic}.",
        f"{body} will vote on the {thing} plan on {month} {day}, {person_a} told reporters in {city}.",
        f"{person_b} and {person_a} met in {city} for the {rng.randint(2, 9)}th time on {topic}.",
        f"Critics of {body} in {city} said {person_a} had misjudged {topic}.",
    ]
    rng.shuffle(lines)
    return f"{city}: {topic} (report {i})\n\n" + " ".join(lines[:4]) + "\n"


def write_story_articles(folder: Path, count: int, first: int = 0) -> list[Path]:
    """count articles on many stories (ten each), numbered from `first`: two days that share stories."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + count):
        path = folder / f"story-{i:05d}.txt"
        path.write_text(story_article(i), encoding="utf-8")
        paths.append(path)
    return paths
