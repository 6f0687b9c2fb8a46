"""A chat in the terminal, running the same core as Telegram: ``uabot demo``.

Buttons are shown as numbered choices; typing the number presses the button. ``/file PATH``
sends a document, as an organiser would upload one. Files the bot sends are written to a
folder and their path is printed.
"""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path
from typing import TextIO

from bot.contract import Button, Document, File, Incoming, Notice, Reply, Text
from bot.dispatcher import Dispatcher

PLATFORM = "terminal"


class TerminalChannel:
    def __init__(
        self,
        dispatcher: Dispatcher,
        stdin: TextIO,
        stdout: TextIO,
        files_dir: Path,
        user_id: int = 1,
        language_hint: str | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.stdin = stdin
        self.stdout = stdout
        self.files_dir = files_dir
        self.user_id = user_id
        self.language_hint = language_hint
        self._buttons: list[Button] = []

    def _print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _incoming(self, **fields: object) -> Incoming:
        return Incoming(
            platform=PLATFORM,
            user_id=self.user_id,
            chat_id=self.user_id,
            language_hint=self.language_hint,
            **fields,  # type: ignore[arg-type]
        )

    def parse(self, line: str) -> Incoming | None:
        """Turn a typed line into an update; None when it needs no round trip."""
        line = line.strip()
        if not line:
            return None
        if line.isdigit() and self._buttons:
            number = int(line)
            if not 1 <= number <= len(self._buttons):
                self._print(f"(choose 1 to {len(self._buttons)})")
                return None
            button = self._buttons[number - 1]
            if button.url:
                self._print(f"(link: {button.url})")
                return None
            return self._incoming(callback_data=button.data)
        if line.startswith("/file"):
            path = Path(line[len("/file") :].strip()).expanduser()
            try:
                content = path.read_bytes()
            except OSError as error:
                self._print(f"(cannot read {path}: {error.strerror})")
                return None
            return self._incoming(document=Document(path.name, content))
        if line.startswith("/"):
            command, _, rest = line[1:].partition(" ")
            try:
                args = tuple(shlex.split(rest))
            except ValueError:
                args = tuple(rest.split())
            return self._incoming(command=command, args=args, text=line)
        return self._incoming(text=line)

    def render(self, replies: list[Reply]) -> None:
        self._buttons = []
        for reply in replies:
            if isinstance(reply, Text):
                self._print("-" * 60)
                self._print(reply.text)
                for row in reply.buttons:
                    for button in row:
                        self._buttons.append(button)
                        self._print(f"  [{len(self._buttons)}] {button.label}")
            elif isinstance(reply, File):
                self.files_dir.mkdir(parents=True, exist_ok=True)
                path = self.files_dir / reply.filename
                path.write_bytes(reply.content)
                self._print(f"(file saved: {path}) {reply.caption}".rstrip())
            elif isinstance(reply, Notice):
                self._print(f"({reply.text})")

    async def run(self) -> None:
        self._print("uabot demo: an offline chat. Type /start; type a number to press a button;")
        self._print("/file PATH sends a UA document (you are an organiser here); /quit ends.")
        while True:
            self.stdout.write("> ")
            self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line or line.strip() in ("/quit", "/exit"):
                self._print()
                return
            incoming = self.parse(line)
            if incoming is not None:
                self.render(await self.dispatcher.handle(incoming))
