"""How traders write: prices and weights in many notations, and names hidden from keyword search."""

from __future__ import annotations

import random

from wildtrace.simulate._vocab import Species, Vocabulary

OBFUSCATIONS = ("none", "code_word", "pinyin", "initials", "split", "emoji_split", "traditional")


def price_text(rng: random.Random, cny: float, lang: str) -> str:
    """A price as people write it: 元, ¥, k, 千, 万, 块, RMB."""
    whole = max(1, round(cny))
    if lang == "en":
        forms = [f"¥{whole}", f"{whole} CNY", f"RMB {whole}", f"{whole / 1000:g}k" if whole >= 1000 else f"¥{whole}"]
    elif lang == "vi":
        forms = [f"{whole} tệ", f"¥{whole}", f"{whole} NDT"]
    else:
        forms = [f"{whole}元", f"¥{whole}", f"{whole}块", f"RMB{whole}", f"{whole}米"]
        if whole >= 1000:
            forms += [f"{whole / 1000:g}k", f"{whole / 1000:g}K", f"{whole / 1000:g}千"]
        if whole >= 10000:
            forms += [f"{whole / 10000:g}万", f"{whole / 10000:g}w", f"{whole / 10000:g}個W"]
    return rng.choice(forms)


def weight_text(rng: random.Random, grams: float, lang: str) -> str:
    """A weight as people write it: 克, g, 斤 (500 g), 两 (50 g), kg."""
    g = max(1, round(grams))
    forms = [f"{g}g", f"{g} g"]
    if lang in ("zh", "zh_hant"):
        forms += [f"{g}克", f"{g}克", f"{g / 50:g}两" if g % 5 == 0 else f"{g}克"]
        if g >= 250:
            forms += [f"{g / 500:.3g}斤"]
        if g >= 1000:
            forms += [f"{g / 1000:g}公斤"]
    elif lang == "en":
        forms += [f"{g} grams", f"{g / 1000:g}kg" if g >= 1000 else f"{g}gr"]
    else:
        forms += [f"{g} gam"]
    return rng.choice(forms)


def per_gram_text(rng: random.Random, cny_per_g: float, lang: str) -> str:
    p = round(cny_per_g, 1 if cny_per_g < 20 else 0)
    p_s = f"{p:g}"
    if lang == "en":
        return rng.choice([f"{p_s}/g", f"¥{p_s} per gram"])
    if lang == "vi":
        return f"{p_s} tệ/g"
    return rng.choice([f"{p_s}/克", f"{p_s}元/g", f"{p_s}一克", f"克价{p_s}"])


def split_chars(rng: random.Random, word: str, marks: list[str]) -> str:
    """``象牙`` -> ``象 牙``, ``象*牙``, ``象🐘牙``: one mark between every character."""
    mark = rng.choice(marks)
    return mark.join(word) if len(word) > 1 else word + mark


def species_term(rng: random.Random, sp: Species, vocab: Vocabulary, lang: str, week: int,
                 obfuscation: str) -> tuple[str, list[str]]:
    """The species as written in one post, and the code words used (for the truth file)."""
    if obfuscation == "code_word":
        usable = [c for c in sp.code_words if c.week <= week]
        # newly introduced words are favoured: that is how a list keeps growing
        weights = [3.0 if c.week > 1 and week - c.week < 4 else 1.0 for c in usable]
        word = rng.choices(usable, weights)[0].word
        return word, [word]
    name = sp.names[lang]
    if obfuscation == "pinyin":
        return rng.choice([sp.pinyin, sp.pinyin.replace(" ", ""), sp.pinyin.title()]), []
    if obfuscation == "initials":
        return rng.choice([sp.initials, sp.initials.lower()]), []
    if obfuscation in ("split", "emoji_split"):
        chars = name if lang in ("zh", "zh_hant") else sp.names["zh"]
        marks = [m for m in vocab.split_marks if m.isascii() == (obfuscation == "split")]
        return split_chars(rng, chars, marks), []
    if obfuscation == "traditional":
        return sp.names["zh_hant"], []
    return name, []
