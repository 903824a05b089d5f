"""Slack's mrkdwn as styled terminal text: *bold*, _italic_, ~strike~, `code`, and
<@U…>, <#C…>, <!here> and <url|label> shown the way Slack shows them, by name."""

from __future__ import annotations

import html
import re
from typing import Protocol

from rich.emoji import Emoji, NoEmoji
from rich.text import Text

_TOKEN = re.compile(
    r"""
    ```(?P<block>.+?)```
    | `(?P<code>[^`\n]+)`
    | <(?P<target>[^<>|\s]+)(?:\|(?P<label>[^<>]*))?>
    | (?<![\w*])\*(?P<bold>[^*\n]+?)\*(?![\w*])
    | (?<![\w_])_(?P<italic>[^_\n]+?)_(?![\w_])
    | (?<![\w~])~(?P<strike>[^~\n]+?)~(?![\w~])
    """,
    re.DOTALL | re.VERBOSE,
)
_KINDS = ("block", "code", "target", "bold", "italic", "strike")
_NESTED = {"bold": "bold", "italic": "italic", "strike": "strike"}
_EMOJI_CODE = re.compile(r"(?<![\w:]):([a-z0-9_+-]+):(?![\w:])")
MENTION_STYLE = "bold cyan"
CODE_STYLE = "magenta"


class Names(Protocol):
    """Who and what an id stands for, as a person in the workspace would read it."""

    def user_name(self, user_id: str) -> str: ...

    def channel_name(self, channel_id: str) -> str: ...


def mrkdwn(source: str, names: Names, style: str = "") -> Text:
    """`source` as rich Text, every piece carrying `style` plus its own."""
    text = Text()
    position = 0
    for match in _TOKEN.finditer(source):
        text.append(emojized(_unescape(source[position : match.start()])), style=style or None)
        text.append_text(_token(match, names, style))
        position = match.end()
    text.append(emojized(_unescape(source[position:])), style=style or None)
    return text


def emojized(text: str) -> str:
    """`:white_check_mark:` and the like as the emoji Slack shows; unknown names stay."""
    return _EMOJI_CODE.sub(_emoji, text) if ":" in text else text


def _emoji(match: re.Match[str]) -> str:
    try:
        return str(Emoji(match.group(1)))
    except NoEmoji:
        return match.group()


def _token(match: re.Match[str], names: Names, style: str) -> Text:
    kind = next(k for k in _KINDS if match.group(k) is not None)
    value = match.group(kind)
    if kind in _NESTED:
        return mrkdwn(value, names, f"{style} {_NESTED[kind]}".strip())
    if kind in ("block", "code"):
        return Text(_unescape(value), style=f"{style} {CODE_STYLE}".strip())
    return _reference(value, match.group("label"), names, style)


def _reference(target: str, label: str | None, names: Names, style: str) -> Text:
    if target.startswith("@"):
        shown = f"@{names.user_name(target[1:])}"
    elif target.startswith("#"):
        shown = f"#{label or names.channel_name(target[1:])}"
    elif target.startswith("!"):
        shown = _special_mention(target[1:], label)
    else:
        shown = _unescape(label) if label else target
        return Text(shown, style=f"{style} underline link {target}".strip())
    return Text(shown, style=f"{style} {MENTION_STYLE}".strip())


def _special_mention(body: str, label: str | None) -> str:
    """<!here>, <!channel>, <!subteam^ID|@team>, <!date^…^fallback|fallback>."""
    if label:
        return _unescape(label)
    return "@" + body.split("^", 1)[0]


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text
