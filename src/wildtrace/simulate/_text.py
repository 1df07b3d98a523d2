"""How traders write: prices, weights and contacts in many notations, and names hidden from keyword search."""

from __future__ import annotations

import random

from wildtrace.simulate._vocab import Species, Vocabulary

OBFUSCATIONS = ("none", "code_word", "pinyin", "initials", "split", "emoji_split", "homophone", "traditional")
_CN_DIGITS = "零一二三四五六七八九"
_CN_FORMAL = "零壹贰叁肆伍陆柒捌玖"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def price_text(rng: random.Random, cny: float, lang: str) -> str:
    """A price as people write it: 元, ¥, 块, k, 千, 万, w, RMB."""
    whole = max(1, round(cny))
    if lang == "en":
        forms = [f"¥{whole}", f"{whole} CNY", f"RMB {whole}", f"{whole:,} yuan"]
        if whole >= 1000 and whole % 100 == 0:
            forms.append(f"{whole / 1000:g}k")
    elif lang == "vi":
        forms = [f"{whole} tệ", f"¥{whole}", f"{whole} NDT"]
    else:
        forms = [f"{whole}元", f"¥{whole}", f"{whole}块", f"RMB{whole}", f"{whole}米", f"￥{whole}"]
        if whole >= 1000 and whole % 100 == 0:
            forms += [f"{whole / 1000:g}k", f"{whole / 1000:g}K", f"{whole / 1000:g}千"]
        if whole >= 10000 and whole % 1000 == 0:
            forms += [f"{whole / 10000:g}万", f"{whole / 10000:g}w", f"{whole / 10000:g}W", f"{whole / 10000:g}個W"]
    return rng.choice(forms)


def weight_text(rng: random.Random, grams: float, lang: str) -> str:
    """A weight as people write it: 克, g, 斤 (500 g), 两 (50 g), 公斤, kg."""
    g = max(1, round(grams))
    forms = [f"{g}g", f"{g} g"]
    if lang in ("zh", "zh_hant"):
        forms += [f"{g}克", f"{g}克", f"{g}G"]
        if g % 5 == 0:
            forms.append(f"{g / 50:g}两" if lang == "zh" else f"{g / 50:g}兩")
        if g >= 250 and g % 50 == 0:
            forms.append(f"{g / 500:g}斤")
        if g >= 1000:
            forms.append(f"{g / 1000:g}公斤")
    elif lang == "en":
        forms += [f"{g} grams", f"{g}gr"] + ([f"{g / 1000:g}kg"] if g >= 1000 else [])
    else:
        forms += [f"{g} gam"] + ([f"{g / 1000:g} kg"] if g >= 1000 else [])
    return rng.choice(forms)


def per_gram_text(rng: random.Random, cny_per_g: float, lang: str) -> str:
    p = f"{round(cny_per_g, 1 if cny_per_g < 20 else 0):g}"
    if lang == "en":
        return rng.choice([f"{p}/g", f"¥{p} per gram", f"{p} CNY/g"])
    if lang == "vi":
        return f"{p} tệ/g"
    return rng.choice([f"{p}/克", f"{p}元/g", f"{p}一克", f"克价{p}", f"{p}元每克"])


def phone_text(rng: random.Random, phone: str) -> str:
    """A mobile number as written to dodge number filters: spaced, dashed, full-width or in Chinese numerals."""
    return rng.choice([
        phone, phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        phone.translate(_FULL_WIDTH), "".join(_CN_DIGITS[int(d)] for d in phone),
        "".join(_CN_FORMAL[int(d)] for d in phone[:3]) + phone[3:], " ".join(phone),
    ])


def handle_text(rng: random.Random, handle: str) -> str:
    """A messenger ID as written: plain, spaced out, or with a look-alike prefix."""
    return rng.choice([handle, handle, handle.upper(), " ".join(handle), handle.replace("_", " "), f"{handle}（复制）"])


def card_text(rng: random.Random, payment_account: str) -> str:
    """A payment account as it appears in an ad: a wallet number or a bank card in groups of four."""
    kind, number = payment_account.split(":", 1)
    if kind == "bank":
        return rng.choice([number, " ".join(number[i:i + 4] for i in range(0, len(number), 4))])
    return number


def split_chars(rng: random.Random, word: str, marks: list[str]) -> str:
    """``象牙`` -> ``象 牙``, ``象*牙``, ``象🐘牙``: one mark between every character."""
    mark = rng.choice(marks)
    return mark.join(word) if len(word) > 1 else word + mark


def species_term(rng: random.Random, sp: Species, vocab: Vocabulary, lang: str, week: int,
                 obfuscation: str) -> tuple[str, list[str]]:
    """The species as written in one post, and the code words used (for the truth file)."""
    if obfuscation == "code_word":
        usable = [c for c in sp.code_words if c.week <= week]
        # words introduced in the last few weeks are favoured: that is how the list keeps moving
        weights = [4.0 if c.week > 1 and week - c.week < 4 else 1.0 for c in usable]
        word = rng.choices(usable, weights)[0].word
        return word, [word]
    chinese = sp.names[lang] if lang in ("zh", "zh_hant") else sp.names["zh"]
    if obfuscation == "pinyin":
        return rng.choice([sp.pinyin, sp.pinyin.replace(" ", ""), sp.pinyin.title(), sp.pinyin.upper()]), []
    if obfuscation == "initials":
        return rng.choice([sp.initials, sp.initials.lower(), ".".join(sp.initials)]), []
    if obfuscation in ("split", "emoji_split"):
        marks = [m for m in vocab.split_marks if m.isascii() == (obfuscation == "split")]
        return split_chars(rng, chinese, marks), []
    if obfuscation == "homophone":
        return rng.choice(sp.homophones), []
    if obfuscation == "traditional":
        return sp.names["zh_hant"], []
    return sp.names[lang], []
