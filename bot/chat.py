"""The terminal chat: the dialogue engine with no workspace at all.

Interactive when stdin is a terminal (choices are numbered; typing the number
presses the button). Otherwise one user line per input line, each followed by
the bot's replies — the way ``scripts/demo.sh`` drives a whole consultation.
With ``json_lines`` every bot turn is printed as one JSON object (the current
intake card under ``card``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TextIO

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.render import number_choices, turn_to_json
from bot.dialogue.replies import Choice, ConversationKey, IncomingChoice, IncomingMessage
from bot.terminal import json_line, printable, typed

PLATFORM = "terminal"


def terminal_key(user: str) -> ConversationKey:
    return ConversationKey(PLATFORM, "local", "terminal", user)


class TerminalChat:
    def __init__(self, engine: DialogueEngine, user: str, out: TextIO, *, json_lines: bool = False,
                 echo_user: bool = False) -> None:
        self.engine = engine
        self.key = terminal_key(user)
        self.out = out
        self.json_lines = json_lines
        self.echo_user = echo_user
        self.choices: dict[int, Choice] = {}

    def send(self, line: str) -> None:
        """One user line: a number picks a choice of the last turn, anything else is a message."""
        line = typed(line)
        stripped = line.strip()
        choice = self.choices.get(int(stripped)) if stripped.isdigit() else None
        incoming = IncomingChoice(choice.value) if choice is not None else IncomingMessage(line)
        turn = self.engine.handle(self.key, incoming)
        numbered = number_choices(turn)
        self.choices = numbered.choices
        if self.json_lines:
            self.out.write(json_line(turn_to_json(turn, user=line, numbers=numbered.choices)) + "\n")
        else:
            if self.echo_user:
                shown = f"[{stripped}] {choice.label}" if choice is not None else line
                self.out.write(printable(f"\nyou> {shown}\n"))
            self.out.write(printable("\n".join(numbered.lines) + "\n"))
        self.out.flush()

    def run_lines(self, lines: Iterable[str]) -> int:
        count = 0
        for line in lines:
            self.send(line.rstrip("\n"))
            count += 1
        return count

    def run_interactive(self, read: Callable[[str], str] = input) -> None:
        self.out.write("（終了は Ctrl-D または Ctrl-C。番号を入力するとボタンを押せます）\n")
        while True:
            try:
                line = read("you> ")
            except (EOFError, KeyboardInterrupt):
                self.out.write("\n")
                return
            self.send(line)
