"""Hearing a Chinese name written with other characters: every reading of a character, and near-homophones.

The pinyin stream (``_normalise``) spells each character in its first reading only, so 潒牙 (潒 dàng, also
xiàng) and 穿三甲 (san for shan) are not heard as 象牙 and 穿山甲. Here each Chinese character of a batch is a
small set of syllables (its readings, and each reading through one near-homophone merger of ``data/mergers.yaml``)
restricted to the syllables of the lexicon's names; a name is heard where consecutive characters can be its
syllables. The sets form a lattice over the text and are never multiplied out into spellings: the cost is the
number of (character, syllable) pairs plus the candidate names that start at them, all numpy over the batch.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from itertools import combinations, product
from typing import Any

import numpy as np
import yaml
from pypinyin import Style, lazy_pinyin

from wildtrace.screen._normalise import _TABLE_SIZE, _text, is_cjk, ranges, squeeze

_POSITIONS = ("initial", "final")
_RULES = {"kinds", "max_mergers", "min_written", "min_written_merged", "particles_first_reading_only", "not_a_word",
          "latin_only_kinds"}
_LATIN_ONLY_KINDS = ("legality", "benign", "trade")  # kinds not heard otherwise
_FIRST, _OTHER, _MERGED = 0, 1, 2  # how a character reads as a syllable (a written character counts apart)


class HearingError(ValueError):
    """``mergers.yaml`` is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Merger:
    """Two sounds heard as one at the start (initial) or end (final) of a syllable."""

    id: str
    position: str
    sounds: tuple[str, str]

    def apply(self, syllable: str) -> str | None:
        """The syllable with its sound swapped for the other of the pair, or None where the pair is not in it.
        The longer sound is tried first (``sh`` before ``s``, ``ang`` before ``an``)."""
        for a, b in sorted((self.sounds, self.sounds[::-1]), key=lambda p: -len(p[0])):
            if self.position == "initial" and syllable.startswith(a) and len(syllable) > len(a):
                return b + syllable[len(a):]
            if self.position == "final" and syllable.endswith(a) and len(syllable) > len(a):
                return syllable[:-len(a)] + b
        return None


@dataclass(frozen=True)
class Sizes:
    """Letters that are a garment size as well as the initials of a name (XL, 血料): where they are a size."""

    sizes: tuple[str, ...]
    joiners: tuple[str, ...]
    units: tuple[str, ...]
    garments: tuple[str, ...]

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
        """A size before the letters (``S到``, ``尺码:``), after them (``码``, ``/XXL``), a garment anywhere."""
        def alt(words: tuple[str, ...]) -> str:
            return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))

        size, join, unit = alt(self.sizes), alt(self.joiners), alt(self.units)
        return (re.compile(rf"(?:(?<![a-z0-9])(?:{size})\s*(?:{join})|(?:{unit})\s*[:：]?)\s*$", re.IGNORECASE),
                re.compile(rf"^\s*(?:{unit}|(?:{join})\s*(?:{size})(?![a-z]))", re.IGNORECASE),
                re.compile(rf"(?<![a-z])(?:{alt(self.garments)})(?![a-z])", re.IGNORECASE))

    def is_size(self, letters: str) -> bool:
        """Whether initials written as ``letters`` could be a size."""
        return letters.upper() in {s.upper() for s in self.sizes}

    def as_size(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` (letters that could be a size) is one: a size or a size word next to it, or
        a garment named in the text."""
        before, after, garment = self._patterns
        return bool(before.search(text[:start]) or after.search(text[end:]) or garment.search(text))


@dataclass(frozen=True)
class Hearing:
    """The curated rules: which kinds of names are heard, how many mergers a word may take, how many of its
    own characters it must keep (with a merger: ``min_written_merged``), whether particles (a first reading
    without tone: 了 le, 的 de, 着 zhe) are heard in their other readings, whether a word of pypinyin's phrase
    dictionary (牛角, ox horn) is taken as what it says (``not_a_word``), the kinds whose Chinese names of two
    syllables or more are also read where typed in Latin pinyin, and only there (``latin_only_kinds``: ``jia ge``,
    ``weixin``), the mergers, and the initials that are garment sizes (``sizes``). ``version`` is a hash of the file."""

    version: str
    kinds: tuple[str, ...]
    max_mergers: int
    min_written: int
    min_written_merged: int
    particles_first_reading_only: bool
    not_a_word: bool
    latin_only_kinds: tuple[str, ...]
    mergers: tuple[Merger, ...]
    sizes: Sizes

    def merged(self, syllables: list[str]) -> list[list[str]]:
        """A name's syllables typed through near-homophone mergers (``chuan san jia`` for 穿山甲): every spelling
        with at least one and at most ``max_mergers`` syllables swapped, keeping at least ``min_written_merged`` of
        them as they are (Latin letters have no characters to keep: the syllables stand in for them)."""
        out: list[list[str]] = []
        most = min(self.max_mergers, len(syllables) - self.min_written_merged)
        for n in range(1, most + 1):
            for at in combinations(range(len(syllables)), n):
                choices = [[m.apply(syllables[i]) for m in self.mergers] for i in at]
                for swapped in product(*([s for s in c if s] for c in choices)):
                    spelled = list(syllables)
                    for i, s in zip(at, swapped, strict=True):
                        spelled[i] = s
                    out.append(spelled)
        return out


def parse_hearing(text: str, name: str = "mergers.yaml") -> Hearing:
    """Validate the YAML of ``mergers.yaml``; errors name the file and the entry."""
    try:
        raw: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise HearingError(f"{name}: not valid YAML: {exc}") from exc
    if (not isinstance(raw, dict) or not isinstance(raw.get("mergers"), list) or not isinstance(raw.get("rules"), dict)
            or not isinstance(raw.get("sizes"), dict)):
        raise HearingError(f"{name}: needs a mapping with 'rules', a list 'mergers' and 'sizes'")
    rules = raw["rules"]
    if set(rules) != _RULES:
        raise HearingError(f"{name}: rules must be exactly {', '.join(sorted(_RULES))}, got {', '.join(sorted(rules))}")
    kinds = rules["kinds"]
    if not isinstance(kinds, list) or not kinds or not all(k in ("species", "product", "code_word") for k in kinds):
        raise HearingError(f"{name}: rules.kinds must list species, product or code_word, got {kinds!r}")
    latin = rules["latin_only_kinds"]
    if not isinstance(latin, list) or not all(k in _LATIN_ONLY_KINDS for k in latin):
        raise HearingError(f"{name}: rules.latin_only_kinds must list {', '.join(_LATIN_ONLY_KINDS)}, got {latin!r}")
    for key in ("particles_first_reading_only", "not_a_word"):
        if not isinstance(rules[key], bool):
            raise HearingError(f"{name}: rules.{key} must be true or false, got {rules[key]!r}")
    for key in ("max_mergers", "min_written", "min_written_merged"):
        if not isinstance(rules[key], int) or isinstance(rules[key], bool) or rules[key] < 0:
            raise HearingError(f"{name}: rules.{key} must be a whole number >= 0, got {rules[key]!r}")
    mergers: list[Merger] = []
    for i, entry in enumerate(raw["mergers"]):
        where = f"{name}: mergers[{i}]" + (f" ({entry.get('id')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict) or set(entry) - {"id", "position", "sounds", "note"}:
            raise HearingError(f"{where}: an entry is a mapping of id, position, sounds and note")
        sounds = entry.get("sounds")
        if not isinstance(entry.get("id"), str) or not entry["id"]:
            raise HearingError(f"{where}: entry has no 'id'")
        if entry.get("position") not in _POSITIONS:
            raise HearingError(f"{where}: position must be initial or final, got {entry.get('position')!r}")
        if (not isinstance(sounds, list) or len(sounds) != 2 or len(set(sounds)) != 2
                or not all(isinstance(s, str) and s.isascii() and s.isalpha() and s.islower() for s in sounds)):
            raise HearingError(f"{where}: sounds must be two different lower-case pinyin sounds, got {sounds!r}")
        if entry["id"] in {m.id for m in mergers}:
            raise HearingError(f"{where}: id {entry['id']!r} is used twice")
        mergers.append(Merger(entry["id"], entry["position"], (sounds[0], sounds[1])))
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return Hearing(version, tuple(kinds), rules["max_mergers"], rules["min_written"], rules["min_written_merged"],
                   rules["particles_first_reading_only"], rules["not_a_word"], tuple(latin), tuple(mergers),
                   _parse_sizes(raw["sizes"], name))


def _parse_sizes(raw: dict[str, Any], name: str) -> Sizes:
    lists = ("sizes", "joiners", "units", "garments")
    if set(raw) != set(lists):
        raise HearingError(f"{name}: sizes must be exactly {', '.join(lists)}, got {', '.join(sorted(raw))}")
    for key in lists:
        words = raw[key]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise HearingError(f"{name}: sizes.{key} must be a list of words, got {words!r}")
    return Sizes(*(tuple(raw[k]) for k in lists))


def dictionary_word(word: str) -> bool:
    """Whether ``word`` is one of pypinyin's phrase dictionary (``not_a_word``): what it says, not a disguise."""
    from pypinyin.phrases_dict import phrases_dict

    return word in phrases_dict


@cache
def load_hearing() -> Hearing:
    """The packaged ``data/mergers.yaml``, validated."""
    return parse_hearing((resources.files("wildtrace.screen") / "data" / "mergers.yaml").read_text(encoding="utf-8"))


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _all_readings() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Every character's toneless readings, and the particles: characters whose first reading has no tone."""
    from pypinyin.pinyin_dict import pinyin_dict

    out, particles = {}, set()
    for cp, listed in pinyin_dict.items():
        if is_cjk(ch := chr(cp)):
            out[ch] = tuple(dict.fromkeys(_toneless(r) for r in listed.split(",")))
            first = unicodedata.normalize("NFD", listed.split(",")[0])
            if not any(unicodedata.combining(c) and c != "\u0308" for c in first):  # no tone mark (ü's dots are none)
                particles.add(ch)
    return out, frozenset(particles)


def readings(ch: str) -> tuple[str, ...]:
    """Every toneless reading pypinyin lists for a character, its first (most common) reading first."""
    return _all_readings()[0].get(ch, ())


class Lattice:
    """The lexicon's Chinese names as syllables, and for every character the syllables of those names it can be
    heard as (a reading, or a reading through one merger)."""

    def __init__(self, names: list[tuple[int, int, str]], hearing: Hearing) -> None:
        """``names``: (pattern, term, name) of each name to hear, all Chinese characters, two or more."""
        self.hearing = hearing
        rows: dict[tuple[str, int], int] = {}
        for pattern, term, name in names:
            rows.setdefault((squeeze(name), term), pattern)
        words = [(w, lazy_pinyin(w, style=Style.NORMAL), p) for (w, _), p in rows.items()]
        words = [(w, s, p) for w, s, p in words if len(s) == len(w) >= 2 and all(map(is_cjk, w))]
        vocab = {s: i for i, s in enumerate(sorted({x for _, syl, _ in words for x in syl}))}
        self.n_syllables = max(len(vocab), 1)
        width = max((len(w) for w, _, _ in words), default=1)
        self.pattern = np.array([p for _, _, p in words], dtype=np.int64)
        self.length = np.array([len(w) for w, _, _ in words], dtype=np.int64)
        self.syllable = np.full((len(words), width), -1, dtype=np.int64)
        self.char = np.zeros((len(words), width), dtype=np.uint32)
        for i, (w, syl, _) in enumerate(words):
            self.syllable[i, :len(w)] = [vocab[x] for x in syl]
            self.char[i, :len(w)] = [ord(c) for c in w]
        self.by_first = np.argsort(self.syllable[:, 0], kind="stable")  # the names by their first syllable
        self.first_count = np.bincount(self.syllable[self.by_first, 0], minlength=self.n_syllables)
        self.first_start = np.cumsum(self.first_count) - self.first_count
        self.count, self.sid, self.how = self._heard_as(vocab)
        self.start = np.cumsum(self.count) - self.count

    def _heard_as(self, vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per code point, the syllables of ``vocab`` it can be heard as and how (first reading, another, a merger),
        as flat arrays: (count per code point, syllable, how)."""
        hearing = self.hearing
        count = np.zeros(_TABLE_SIZE, dtype=np.int64)
        sids: list[int] = []
        hows: list[int] = []
        table, particles = _all_readings()
        for ch, listed in table.items():  # Chinese characters only, all inside the table
            if hearing.particles_first_reading_only and ch in particles:
                listed = listed[:1]
            heard: dict[int, int] = {}
            for k, r in enumerate(listed):
                for s, how in ((r, _FIRST if k == 0 else _OTHER),
                               *((m.apply(r), _MERGED) for m in hearing.mergers)):
                    if s in vocab:
                        heard[vocab[s]] = min(heard.get(vocab[s], how), how)
            if heard:
                count[ord(ch)] = len(heard)
                sids.extend(heard)
                hows.extend(heard.values())
        return count, np.array(sids, dtype=np.int64), np.array(hows, dtype=np.int8)

    def scan(self, codes: np.ndarray, cjk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Names heard in the surface stream (``codes``; ``cjk``: which are Chinese characters) through a reading
        other than the first or a merger: (start, end, pattern) arrays in surface positions. A name heard in
        first readings only is the pinyin stream's; one written out is the surface's."""
        empty = np.zeros(0, dtype=np.int64)
        pos = np.flatnonzero(cjk & (codes < _TABLE_SIZE))
        n = self.count[codes[pos]]
        if not len(self.pattern) or not n.any():
            return empty, empty, empty
        e_pos = np.repeat(pos, n)
        flat = ranges(self.start[codes[pos]], n)
        e_sid, e_how = self.sid[flat], self.how[flat]
        key = e_pos * self.n_syllables + e_sid  # the lattice: (position, syllable), sorted for look-up
        order = np.argsort(key, kind="stable")
        key, how = key[order], e_how[order]
        # candidates: every name whose first syllable a character can be heard as
        m = self.first_count[e_sid]
        entry = np.repeat(np.arange(len(e_pos)), m)
        name = self.by_first[ranges(self.first_start[e_sid], m)]
        at = e_pos[entry]
        written = np.zeros(len(name), dtype=np.int64)
        other = np.zeros(len(name), dtype=np.int64)
        merged = np.zeros(len(name), dtype=np.int64)
        alive = np.ones(len(name), dtype=bool)
        for j in range(self.syllable.shape[1]):
            a = np.flatnonzero(alive & (self.length[name] > j))
            q = at[a] + j
            inside = q < len(codes)
            want = np.where(inside, q, 0) * self.n_syllables + self.syllable[name[a], j]
            k = np.minimum(np.searchsorted(key, want), max(len(key) - 1, 0))
            found = inside & (key[k] == want)
            alive[a[~found]] = False
            a, k, q = a[found], k[found], q[found]
            same = codes[q] == self.char[name[a], j]
            written[a] += same
            other[a] += ~same & (how[k] == _OTHER)
            merged[a] += ~same & (how[k] == _MERGED)
        rules = self.hearing
        keep = (alive & (other + merged > 0) & (merged <= rules.max_mergers) & (written >= rules.min_written)
                & ((merged == 0) | (written >= rules.min_written_merged)))
        start, end, pattern = at[keep], at[keep] + self.length[name[keep]], self.pattern[name[keep]]
        if rules.not_a_word and len(start):  # few hits: a look-up each
            word = np.array([not dictionary_word(_text(codes[a:b])) for a, b in zip(start.tolist(), end.tolist(),
                                                                                     strict=True)], dtype=bool)
            start, end, pattern = start[word], end[word], pattern[word]
        return start, end, pattern

    def describe(self, written: str, name: str) -> str | None:
        """How ``written`` (the original text of a homophone hit) is heard as ``name``: each character that is
        not the name's own, with the reading or merger that made it, or each syllable of pinyin typed in Latin
        letters through a merger; None where ``written`` is neither."""
        chars, target = squeeze(written), squeeze(name)
        if chars.isascii():
            return self._describe_typed(written, chars, target)
        if len(chars) != len(target) or not all(map(is_cjk, chars)):
            return None
        parts = []
        for c, t, s in zip(chars, target, lazy_pinyin(target, style=Style.NORMAL), strict=True):
            listed = readings(c)
            if c == t:
                continue
            if listed and listed[0] == s:
                parts.append(f"{c} {s} for {t}")
            elif s in listed:
                parts.append(f"{c} in its reading {s} (first reading {listed[0]}) for {t}")
            else:
                how = next((f"{c} {r} heard as {s} (merger {m.id}) for {t}" for r in listed
                            for m in self.hearing.mergers if m.apply(r) == s), f"{c} for {t}")
                parts.append(how)
        return f"{written} heard as {name}: " + "; ".join(parts)

    def _describe_typed(self, written: str, typed: str, name: str) -> str | None:
        """Pinyin typed in Latin letters through mergers (``chuan san jia heard as 穿山甲: san heard as shan
        (merger s-sh) for 山``), or None where no merged spelling of the name reads as ``typed`` (folded)."""
        syllables = lazy_pinyin(name, style=Style.NORMAL)
        spelled = next((s for s in self.hearing.merged(syllables)
                        if squeeze("".join(s)) == typed), None)
        if spelled is None:
            return None
        parts = [f"{s} heard as {r} (merger {next(m.id for m in self.hearing.mergers if m.apply(r) == s)}) for {c}"
                 for c, r, s in zip(name, syllables, spelled, strict=True) if s != r]
        return f"{written} heard as {name}: " + "; ".join(parts)
