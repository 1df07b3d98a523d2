"""Contact and payment identifiers: phones, messenger IDs, QQ, email, Telegram, wallets, bank cards, URLs.

Values are normalised for joining: phones in E.164 (``+8613812345678``), messenger IDs as
``app:id`` in lower case, Telegram as ``@handle``, wallets as ``wallet:<id>``, cards as ``bank:<digits>``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import phonenumbers

from wildtrace.extract._money import is_thai, is_vietnamese
from wildtrace.extract._patterns import alternation
from wildtrace.extract._terms import TermMatcher
from wildtrace.extract._text import View, digit_view
from wildtrace.extract._vocab import Vocabulary

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。、）)】\]]+"
                  r"|(?<![\w.@/])(?:t\.me|telegram\.me|wa\.me)/[^\s<>\"'，。、）)】\]]+")
_EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+-]*\s?(?:@|\(at\)|\[at\]|#)\s?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z])")
_CARD = re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?!\d)")
_RUN = re.compile(r"\+?(?:\(\s?)?\d(?:[\s\-.·_()/\ufe0f\u20e3]{0,3}\d)*")
_DIGITS = re.compile(r"\d+")
_FILLER = re.compile(r"[\s:=\-]*(?:号码|号|id|账号|帐号|账户|number|no\.?|#)?[\s:=\-]*")
_COLON = re.compile("[:=]")
_WECHAT_ID = re.compile(r"[a-z][a-z0-9_-]{5,19}(?![a-z0-9_@.-])")
_HANDLE = re.compile(r"@?([a-z][a-z0-9_]{4,31})(?![a-z0-9_])")
_LABELLED_CARD = re.compile(r"\d(?:[\s-]?\d){15,18}(?!\d)")
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_SPACED = re.compile(r"[a-z0-9_](?: [a-z0-9_]){5,19}(?![a-z0-9_])")
_LINE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{3,19}(?![a-z0-9._-])")
_WALLET_ID = re.compile(r"[a-z0-9][a-z0-9_.@-]{3,40}[a-z0-9]")
_PHONE_AT = re.compile(r"\+?\(?\d(?:[\s\-.()]{0,3}\d){5,16}")
_QQ_AT = re.compile(r"(?:q\s?)?([1-9]\d{4,11})(?!\d)")
# An ID with no app named (私聊 ..., DM ..., or no label at all) is read as a WeChat ID: WeChat is where
# this trade happens, and one value per handle lets the linking stage join it with labelled sightings.
_DEFAULT_APP = "wechat"
_WALLET_PREFIX = re.compile(r"wallet\s?[:：]\s?")
_BARE_ID = re.compile(r"(?<![a-z0-9_@./:#-])(?=[a-z0-9_-]*_)(?=[a-z_-]*\d)[a-z][a-z0-9_-]{5,19}(?![a-z0-9_@.-])")
_WORD_DIGITS = re.compile(r"(?<![a-z0-9_@./:#-])[a-z]{3,}\d{5,}(?![a-z0-9_@.-])")
# an upper-case label, then the lower-case ID it lost a space to: VXlotus_88, Vwx_lotus123 (not Valentine_2024)
_GLUED_LABEL = re.compile(r"(?:VX|WX)(?=[a-z])|V(?=wx|vx)")
_BARE_HANDLE = re.compile(r"(?<![\w.@])@([a-z][a-z0-9_]{4,31})(?![a-z0-9_])")
_REGION_CUES = {"VN": ("越南", "vietnam", "việt nam", "zalo", "+84"), "HK": ("香港", "hong kong", "hk", "+852"),
                "MO": ("澳门", "macau", "+853"), "TW": ("台湾", "taiwan", "+886"), "US": ("usa", "美国", "+1 "),
                "MY": ("malaysia", "马来西亚", "+60"), "TH": ("泰国", "thailand", "+66"),
                "ID": ("indonesia", "jakarta", "surabaya", "+62")}
# Words of a language written in Latin letters without marks of its own: its country's numbers come first.
_LANGUAGE_WORDS = {"ID": ("harga", "juta", "rupiah", "jual", "hubungi", "ongkir", "gading")}
_COUNTRY_PREFIXES = ("86", "852", "853", "886", "84")
# How a number is written at home, without the country code: a number is read as national only when it
# looks like one (a US number is not a Chinese one just because the digits happen to be valid there).
_NATIONAL = {
    "CN": re.compile(r"1[3-9]\d{9}|0[1-9]\d{8,10}|[48]00\d{7}"),
    "VN": re.compile(r"0[1-9]\d{8,9}"),
    "HK": re.compile(r"[2-9]\d{7}"),
    "MO": re.compile(r"[268]\d{7}"),
    "TW": re.compile(r"09\d{8}|0[2-8]\d{7,8}"),
    "US": re.compile(r"1?[2-9]\d{9}"),
    "MY": re.compile(r"01\d{8,9}|0[3-9]\d{7,8}"),
    "TH": re.compile(r"0[689]\d{8}|0[2-7]\d{7}"),
    "ID": re.compile(r"08\d{8,11}"),
}
# 415-867-2291, (415) 867-2291: the grouping of the North American numbering plan
_NANP_GROUPS = ([3, 3, 4], [1, 3, 3, 4])


@dataclass
class Found:
    kind: str
    raw: str
    value: str
    span: tuple[int, int]


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def phone_e164(digits: str, plus: bool, regions: tuple[str, ...], lenient: bool = False) -> str | None:
    """The E.164 form of ``digits`` if it is a valid number (international, or national in ``regions``).

    ``lenient`` (a label such as 电话 or WhatsApp says it is a phone) also takes a possible number whose
    range the metadata does not list yet: new ranges open before the library knows them.
    """
    candidates: list[tuple[str, str | None]] = []
    if plus:
        candidates.append(("+" + digits, None))
    elif digits.startswith("00"):
        candidates.append(("+" + digits[2:], None))
    else:
        candidates.extend((digits, r) for r in regions if r in _NATIONAL and _NATIONAL[r].fullmatch(digits))
        if len(digits) >= 11 and digits.startswith(_COUNTRY_PREFIXES):
            candidates.append(("+" + digits, None))
    for number, region in candidates:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed) or (lenient and phonenumbers.is_possible_number(parsed)):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


_APP_AFTER = re.compile(r"[\s(（\-–,/]{1,4}")


@cache
def _phone_label(v: Vocabulary) -> re.Pattern[str]:
    """A phone label right after another label and a slash: the SĐT of Zalo/SĐT."""
    return re.compile(r"\s?[/|&]\s?" + alternation(v.contacts["phone_cues"]))


@cache
def _labels(v: Vocabulary) -> TermMatcher:
    c = v.contacts
    terms: list[tuple[str, tuple[str, str]]] = []
    for app, labels in c["messengers"].items():
        terms.extend((t, ("messenger", app)) for t in labels)
    terms.extend((t, ("messenger", "")) for t in c["generic"])
    for kind in ("qq", "telegram", "alipay", "wechat_pay", "bank", "phone_cues"):
        terms.extend((t, (kind, kind)) for t in c[kind])
    return TermMatcher(terms)


class _Finder:
    def __init__(self, view: View, v: Vocabulary) -> None:
        self.v = v
        self.view = view
        self.t = self.view.text
        self.d = digit_view(self.t, v.cn_digits)
        self.found: list[tuple[int, int, str, str]] = []  # view start, end, kind, value
        # the country of the text's own language first (a Vietnamese 09... is not a Chinese 0...), then China
        lead = ["VN"] if is_vietnamese(self.t) else ["TH"] if is_thai(self.t) else [
            r for r, words in _LANGUAGE_WORDS.items() if any(w in self.t for w in words)]
        regions = [*lead, "CN", *(r for r, cues in _REGION_CUES.items() if any(c in self.t for c in cues))]
        self.regions = tuple(dict.fromkeys(regions))
        self.label_hits: list[tuple[int, int, str]] = []  # messenger labels: start, end, app

    def free(self, a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y, _, _ in self.found)

    def add(self, a: int, b: int, kind: str, value: str) -> None:
        self.found.append((a, b, kind, value))

    def urls(self) -> None:
        for m in _URL.finditer(self.t):
            raw = m.group().rstrip(".,;:!?")
            a, b = m.start(), m.start() + len(raw)
            parts = urlsplit(raw if "://" in raw else "http://" + raw)
            host = (parts.hostname or "").removeprefix("www.")
            path = parts.path.rstrip("/")
            if host in ("t.me", "telegram.me") and path.strip("/"):
                self.add(a, b, "telegram", "@" + path.strip("/").split("/")[0])
            elif host == "wa.me" and (e164 := phone_e164(path.strip("/"), True, ())):
                self.add(a, b, "phone", e164)
                self.add(a, b, "messenger_id", "whatsapp:" + e164)
            else:
                self.add(a, b, "url", host + path + (f"?{parts.query}" if parts.query else ""))

    def emails(self) -> None:
        for m in _EMAIL.finditer(self.t):
            if not self.free(m.start(), m.end()):
                continue
            local, domain = re.split(r"\s?(?:@|\(at\)|\[at\]|#)\s?", m.group(), maxsplit=1)
            self.add(m.start(), m.end(), "email", f"{local}@{domain}")
            if domain == "qq.com" and local.isdigit():
                self.add(m.start(), m.end(), "qq", local)

    def cards(self) -> None:
        for m in _CARD.finditer(self.d):
            digits = re.sub(r"\D", "", m.group())
            if self.free(m.start(), m.end()) and luhn_valid(digits):
                self.add(m.start(), m.end(), "bank_card", "bank:" + digits)

    def labelled(self) -> list[str]:
        """Identifiers after a label; returns where "same number as the phone" was said."""
        same_as_phone = []
        for hit in _labels(self.v).find(self.t):
            if not self.free(hit.start, hit.end):
                continue
            kind, app = hit.payload
            filler = _FILLER.match(self.t, hit.end)
            pos = filler.end() if filler else hit.end
            if kind == "messenger" and (other := _phone_label(self.v).match(self.t, pos)):
                rest = _FILLER.match(self.t, other.end())  # Zalo/SĐT: 0935...: the app's number
                pos = rest.end() if rest else other.end()
            colon = bool(_COLON.search(self.t, hit.end, pos)) or self.t[hit.end:pos].count(":") > 0
            if hit.term in self.v.contacts["needs_colon"] and not (colon or self.d[pos:pos + 1].isdigit()):
                continue
            if kind == "messenger" and app:
                self.label_hits.append((hit.start, hit.end, app))
            if any(self.t.startswith(s, pos) for s in self.v.contacts["same_as_phone"]):
                same_as_phone.append(app if kind == "messenger" else "wechat")
                continue
            getattr(self, f"_after_{kind}")(pos, app, colon)
        return same_as_phone

    def _phone_at(self, pos: int, regions: tuple[str, ...]) -> tuple[int, str] | None:
        m = _PHONE_AT.match(self.d, pos)
        if not m:
            return None
        digits = re.sub(r"\D", "", m.group())
        e164 = phone_e164(digits, m.group().startswith("+"), regions, lenient=True)
        return (m.end(), e164) if e164 else None

    def _after_messenger(self, pos: int, app: str, colon: bool) -> None:
        regions = ("VN", *self.regions) if app == "zalo" else self.regions
        phone = self._phone_at(pos, regions)
        if phone:
            self.add(pos, phone[0], "phone", phone[1])
            if app:  # a named app on a phone number: the account is registered to it
                self.add(pos, phone[0], "messenger_id", f"{app}:{phone[1]}")
            return
        app = app or _DEFAULT_APP
        m = (_LINE_ID if app == "line" else _WECHAT_ID).match(self.t, pos)
        value = m.group() if m else None
        if m is None and (m := _SPACED.match(self.t, pos)):  # j a s m i n e 6 0 1 9 7
            value = m.group().replace(" ", "")
            value = value if _WECHAT_ID.fullmatch(value) else None
        if m and value and (colon or re.search(r"[\d_-]", value)) and self.free(pos, m.end()):
            self.add(pos, m.end(), "messenger_id", f"{app}:{value}")

    def _after_qq(self, pos: int, app: str, colon: bool) -> None:
        m = _QQ_AT.match(self.d, pos)
        if m and self.free(pos, m.end()):
            self.add(pos, m.end(), "qq", m.group(1))
        else:  # people write any contact after any label: 扣扣 wx_art7109
            self._after_messenger(pos, "", colon)

    def _after_telegram(self, pos: int, app: str, colon: bool) -> None:
        phone = self._phone_at(pos, self.regions)
        if phone:
            self.add(pos, phone[0], "phone", phone[1])
            return
        m = _HANDLE.match(self.t, pos)
        if m and (colon or m.group().startswith("@") or re.search(r"[\d_]", m.group(1))):
            self.add(pos, m.end(), "telegram", "@" + m.group(1))

    def _after_alipay(self, pos: int, app: str, colon: bool) -> None:
        if self._after_bank(pos, app, colon):
            return
        phone = self._phone_at(pos, self.regions)
        if phone:
            self.add(pos, phone[0], "phone", phone[1])
            self.add(pos, phone[0], "payment_account", "wallet:" + phone[1])
            return
        prefix = _WALLET_PREFIX.match(self.t, pos)
        pos = prefix.end() if prefix else pos
        colon = colon or prefix is not None
        email = _EMAIL.match(self.t, pos)
        m = email or _WALLET_ID.match(self.t, pos)
        if m and (colon or re.search(r"\d", m.group())) and (email or self.free(pos, m.end())):
            value = re.sub(r"\s?(?:\(at\)|\[at\]|#)\s?", "@", m.group())
            self.add(pos, m.end(), "payment_account", "wallet:" + value)

    _after_wechat_pay = _after_alipay

    def _after_bank(self, pos: int, app: str, colon: bool) -> bool:
        """A card number after a bank or payment label: 16-19 digits; the label vouches for it, so the
        Luhn check (which some issuers' cards fail) is not required here, unlike for unlabelled digits."""
        m = _LABELLED_CARD.match(self.d, pos)
        if m and self.free(pos, m.end()):
            self.add(pos, m.end(), "bank_card", "bank:" + re.sub(r"\D", "", m.group()))
            return True
        return False

    def _after_phone_cues(self, pos: int, app: str, colon: bool) -> None:
        phone = self._phone_at(pos, (*self.regions, "VN", "HK", "US"))
        if phone and self.free(pos, phone[0]):
            self.add(pos, phone[0], "phone", phone[1])
        elif not phone:
            self._after_messenger(pos, "", colon)

    def phones(self) -> None:
        """Phones in runs of digits and separators. A run may hold several numbers (a price beside a
        phone), so windows of its digit groups are tried, longest first. A run that is one whole
        mobile-shaped number (1[3-9] and 9 digits) is taken when possible, even in a range the metadata
        does not list yet; a part of a run must be a valid number."""
        for m in _RUN.finditer(self.d):
            groups = [(g.start() + m.start(), g.end() + m.start()) for g in _DIGITS.finditer(m.group())]
            plus = m.group().startswith("+")
            i = 0
            while i < len(groups):
                for j in range(min(len(groups), i + 12) - 1, i - 1, -1):
                    a, b = groups[i][0], groups[j][1]
                    digits = "".join(self.d[x:y] for x, y in groups[i:j + 1])
                    if not 7 <= len(digits) <= 15 or not self.free(a, b):
                        continue
                    whole = i == 0 and j == len(groups) - 1 and _CN_MOBILE.fullmatch(digits) is not None
                    nanp = [y - x for x, y in groups[i:j + 1]] in _NANP_GROUPS
                    regions = (*self.regions, "US") if nanp else self.regions
                    e164 = phone_e164(digits, plus and i == 0, regions, lenient=whole)
                    if e164:
                        self.add(a - (1 if plus and i == 0 else 0), b, "phone", e164)
                        i = j
                        break
                i += 1

    def bare_ids(self) -> None:
        """IDs written with no label at all: a token with both an underscore and a digit (wx_lotus62745,
        wxid_8x2k9), or a word run on into five or more digits (lantern24814), is a handle, not a word or
        a model number (rtx3080, iphone12)."""
        for m in itertools.chain(_BARE_ID.finditer(self.t), _WORD_DIGITS.finditer(self.t)):
            word = m.group().rstrip("0123456789")
            if word in self.v.currency_prefixes or word in self.v.currency_suffixes or word in self.v.weight_units:
                continue  # RMB25900 is a price, not a handle
            start = m.start() + self._glued_label(m.start(), m.group())
            if self.free(m.start(), m.end()):
                self.add(start, m.end(), "messenger_id", f"{_DEFAULT_APP}:{self.t[start:m.end()]}")

    def _glued_label(self, start: int, token: str) -> int:
        """Length of a capital label glued to an ID where OCR lost the space (``Vwx_lotus123`` is V + wx_lotus123)."""
        a, b = self.view.span(start, start + len(token))
        glued = _GLUED_LABEL.match(self.view.original[a:b])
        return len(glued.group()) if glued and _WECHAT_ID.fullmatch(token[len(glued.group()):]) else 0

    def handles(self) -> None:
        if not any(t in self.t for t in self.v.contacts["telegram"]):
            return
        for m in _BARE_HANDLE.finditer(self.t):
            if self.free(m.start(), m.end()):
                self.add(m.start(), m.end(), "telegram", "@" + m.group(1))

    def apps_after_phones(self) -> None:
        """A messenger named right after a phone number (0978 654 321 (Zalo)) is registered to that number."""
        for start, _, app in self.label_hits:
            for a, b, kind, value in list(self.found):
                if kind == "phone" and b <= start and _APP_AFTER.fullmatch(self.t, b, start):
                    self.add(a, b, "messenger_id", f"{app}:{value}")

    def run(self) -> list[Found]:
        self.urls()
        self.emails()
        self.cards()
        same_as_phone = self.labelled()
        self.phones()
        self.apps_after_phones()
        self.handles()
        self.bare_ids()
        for app in same_as_phone:
            for a, b, kind, value in list(self.found):
                if kind == "phone":
                    self.add(a, b, "messenger_id", f"{app}:{value}")
        out = []
        for a, b, kind, value in sorted(self.found, key=lambda f: (f[0], f[1])):
            span = self.view.span(a, b)
            out.append(Found(kind, self.view.original[span[0]:span[1]], value, span))
        return out


def find_identifiers(view: View, v: Vocabulary) -> list[Found]:
    """Every identifier in the view's text, once per (kind, value), in order of first appearance."""
    out, seen = [], set()
    for f in _Finder(view, v).run():
        if (f.kind, f.value) not in seen:
            seen.add((f.kind, f.value))
            out.append(f)
    return out


def find_all_identifiers(view: View, v: Vocabulary) -> list[Found]:
    """Every occurrence of every identifier in the view's text, in order (what redaction must cover)."""
    return _Finder(view, v).run()
