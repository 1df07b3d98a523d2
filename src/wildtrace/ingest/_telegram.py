"""Telegram Desktop's "Export chat history" (JSON): ``result.json`` with ``photos/`` and ``files/`` beside it.

One chat (``{"name", "type", "id", "messages": [...]}``) or the whole account (``{"chats": {"list": [...]}}``,
``left_chats`` too). The file is streamed with ijson: a message at a time, never the whole export in memory.
Each message of type ``message`` becomes a post record in the store's field names; service messages (joins,
pins ...) are skipped and counted by action. A post's ``venue`` is the chat's name, ``forwarded_from`` the name
the export gives for a forwarded message's origin, ``reply_to`` the id of the post it replies to (same chat).
A record's ``source`` is ``result.json#chat<chat id>`` and its ``line`` the message id, so a quarantined
message is named by file, chat and message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeGuard, cast

import ijson
from ijson.common import ObjectBuilder

from wildtrace.ingest._convert import MAX_DEPTH
from wildtrace.ingest._readers import RawRecord
from wildtrace.model import Account

PLATFORM = "telegram"
_CHATS = ("", "chats.list.item", "left_chats.list.item")  # where a chat's name, type, id and messages sit
_MESSAGES = frozenset(f"{c}.messages.item".lstrip(".") for c in _CHATS)
_SHALLOW = 5  # the deepest place the reader looks at: chats.list.item.messages.item
_TOP = frozenset({"about", "personal_information", "profile_pictures", "stories", "contacts", "frequent_contacts",
                  "sessions", "web_sessions", "other_data", "name", "type", "id"})
_MEDIA = ("photo", "file")  # paths relative to the export folder
_SNIFF = 1 << 16
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")
_UNUSED = frozenset({"text_entities"})  # the same parts as ``text``, always as a list: not built


def is_telegram_export(path: Path) -> bool:
    """Whether ``path`` is a Telegram Desktop JSON export: one object whose top-level keys, before
    ``messages`` or ``chats``, are all keys such an export has (JSON Lines records are not)."""
    try:
        with path.open("rb") as fh:
            if not fh.read(_SNIFF).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
                return False
            fh.seek(0)
            depth = 0
            for event, value in ijson.basic_parse(fh):
                if event == "map_key" and depth == 1:
                    if value in ("messages", "chats"):
                        return True
                    if value not in _TOP:
                        return False
                depth += (event in _OPEN) - (event in _CLOSE)
                if depth == 0:
                    return False
    except (OSError, ijson.JSONError, UnicodeDecodeError):
        return False
    return False


def read_telegram(path: Path) -> Iterator[RawRecord]:
    """Records of a Telegram export, one per message, streamed (see the module's docstring). The parser's
    events carry no path (ijson's prefixes grow with the depth, so a hostile 100,000-level value would cost
    gigabytes): the reader keeps the keys of the open containers and looks at the first five only."""
    folder = str(path)
    chat: dict[str, Any] = {}
    count = 0
    keys: list[str | None] = []  # per open container: its current key (None: an array)
    with path.open("rb") as fh:
        events = ijson.basic_parse(fh, use_float=True)
        try:
            for event, value in events:
                if event == "map_key":
                    keys[-1] = value
                    continue
                at = ".".join("item" if k is None else k for k in keys) if len(keys) <= _SHALLOW else None
                if event == "start_map" and at in _MESSAGES:
                    message, deep = _build(events)
                    count += 1
                    yield message_record(folder, chat, message, count, deep)
                elif event in _OPEN:
                    if at in _CHATS[1:]:
                        chat = {}
                    keys.append("" if event == "start_map" else None)
                elif event in _CLOSE:
                    keys.pop()
                elif at is not None:
                    base, _, key = at.rpartition(".")
                    if base in _CHATS and key in ("name", "type", "id"):
                        chat[key] = value
        except ijson.JSONError as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            where = f"after the export's {_ordinal(count)} message" if count else "before any message"
            yield RawRecord(f"{folder}#chat{chat['id'] if _is_int(chat.get('id')) else '?'}", -(count + 1), None,
                            f"not JSON {where} ({why}); the rest of the file cannot be read")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _build(events: Iterator[tuple[str, Any]]) -> tuple[dict[str, Any], bool]:
    """(the message starting at this ``start_map``, whether it nests deeper than a record may), from the events
    up to its ``end_map``; what lies deeper than ``MAX_DEPTH``, and ``text_entities``, are read past, not built."""
    builder = ObjectBuilder()
    builder.event("start_map", None)
    depth, deep, unused = 1, False, False
    for event, value in events:
        depth += (event in _OPEN) - (event in _CLOSE)
        if depth == 0:
            break
        if unused:  # a value the reader does not use, read past up to its end
            unused = depth > 1
            continue
        if depth == 1 and event == "map_key" and value in _UNUSED:
            unused = True
            continue
        deep = deep or depth > MAX_DEPTH
        if not deep:
            builder.event(event, value)
    return builder.value, deep


def message_record(file: str, chat: dict[str, Any], message: dict[str, Any], count: int,
                   deep: bool = False) -> RawRecord:
    """One exported message as a post record (in the store's field names), a skipped service message, or an
    error naming the message and the field (``deep``: the message nests deeper than a record may)."""
    chat_id = chat.get("id")
    source = f"{file}#chat{chat_id if _is_int(chat_id) else '?'}"
    msg_id = message.get("id")
    line = msg_id if _is_int(msg_id) else -count
    problem = (f"field 'id' of the chat: expected the chat's number before its messages, got {chat_id!r}"
               if not _is_int(chat_id) else
               f"message {count} of the chat: field 'id': expected a message number, got {msg_id!r}" if line < 0 else
               f"message {msg_id}: nested more than {MAX_DEPTH} levels deep" if deep else None)
    if problem is not None:
        return RawRecord(source, line, None, problem, None if deep else json.dumps(message, ensure_ascii=False))
    kind = message.get("type")
    if kind == "service":
        return RawRecord(source, line, None, skipped=f"service: {message.get('action') or 'unknown'}")
    if kind != "message":
        return RawRecord(source, line, None, skipped=f"type: {kind}")
    try:
        data, accounts = _post(cast(int, chat_id), message)  # an int: checked above
        if isinstance(chat.get("name"), str) and chat["name"]:
            data["venue"] = chat["name"]
    except _FieldError as exc:
        return RawRecord(source, line, None, f"message {msg_id}: field '{exc.field}': {exc.reason}",
                         json.dumps(message, ensure_ascii=False))
    return RawRecord(source, line, data, accounts=accounts)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class _FieldError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


def _post(chat_id: int, message: dict[str, Any]) -> tuple[dict[str, Any], tuple[Account, ...]]:
    text = "\n".join(t for t in (flatten_text(message.get("text", "")), _contact_card(message)) if t)
    data: dict[str, Any] = {"id": f"{PLATFORM}:{chat_id}:{message['id']}", "platform": PLATFORM, "text": text}
    sender = message.get("from_id")
    accounts: tuple[Account, ...] = ()
    if sender is not None:
        if not isinstance(sender, str) or not sender.strip():
            raise _FieldError("from_id", f"expected an id such as user1234 or channel1234, got {sender!r}")
        name = message.get("from")
        data["account_id"] = Account.make_id(PLATFORM, sender)
        accounts = (Account(id=data["account_id"], platform=PLATFORM, handle=sender,
                            display_name=name if isinstance(name, str) and name else None),)
    unixtime = message.get("date_unixtime")
    if unixtime is not None:
        if not (isinstance(unixtime, str) and unixtime.isdigit()) and not isinstance(unixtime, int | float):
            raise _FieldError("date_unixtime", f"expected seconds since 1970, got {unixtime!r}")
        data["posted_at"] = str(unixtime)
    elif message.get("date") is not None:
        data["posted_at"] = message["date"]  # the exporting computer's local time: needs the export's zone
    data["media"] = [path for key in _MEDIA if (path := _media_path(message, key)) is not None]
    forwarded, reply = message.get("forwarded_from"), message.get("reply_to_message_id")
    if forwarded is not None:  # a name as Telegram shows it; null when the original sender is hidden
        if not isinstance(forwarded, str):
            raise _FieldError("forwarded_from", f"expected the name of a user or channel, got {forwarded!r:.80}")
        data["forwarded_from"] = forwarded
    if reply is not None:
        if not _is_int(reply):
            raise _FieldError("reply_to_message_id", f"expected a message number, got {reply!r:.80}")
        data["reply_to"] = f"{PLATFORM}:{chat_id}:{reply}"
    return data, accounts


def _media_path(message: dict[str, Any], key: str) -> str | None:
    """A photo's or file's path under the export folder; None when the export left the file out (Telegram
    then writes "(File not included. ...)" or "(File exceeds maximum size. ...)" instead of a path)."""
    value = message.get(key)
    if value is None or (isinstance(value, str) and value.startswith("(") and value.endswith(")")):
        return None
    if not isinstance(value, str) or not value:
        raise _FieldError(key, f"expected a path under the export folder, got {value!r}")
    return value


def _contact_card(message: dict[str, Any]) -> str:
    """A shared contact (``contact_information``: name and phone number) as a line of the post's text, as
    Telegram shows it, so that extraction finds the number; "" when the message shares none."""
    card = message.get("contact_information")
    if card is None:
        return ""
    if not isinstance(card, dict) or not all(isinstance(v, str) for v in card.values()):
        raise _FieldError("contact_information", f"expected names and a phone number, got {card!r:.80}")
    name = " ".join(card[k] for k in ("first_name", "last_name") if card.get(k))
    return " ".join(p for p in ("Contact:", name, card.get("phone_number", "")) if p)


def flatten_text(text: Any) -> str:
    """The plain text of a message's ``text``: a string, or a list of strings and entity objects
    (``{"type": "phone", "text": "+84 912 345 678"}``, ``{"type": "text_link", "text": "here", "href": ...}``).
    An entity's own text stays where it is, so the extractors find phones, mentions, links and hashtags;
    a ``text_link``'s hidden address follows its text in parentheses."""
    if isinstance(text, str):
        return text
    if not isinstance(text, list):
        raise _FieldError("text", f"expected a string or a list of parts, got {type(text).__name__}")
    parts = []
    for i, part in enumerate(text):
        if isinstance(part, str):
            parts.append(part)
            continue
        if not isinstance(part, dict) or not isinstance(part.get("text"), str):
            raise _FieldError(f"text.{i}", f"expected a string or an entity with a text, got {part!r:.80}")
        href = part.get("href")
        parts.append(f"{part['text']} ({href})" if isinstance(href, str) and href and href != part["text"]
                     else part["text"])
    return "".join(parts)
