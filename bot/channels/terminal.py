"""A chat in the terminal, running the same core as Telegram: ``uabot demo``.

Buttons are shown as numbered choices; typing the number presses the button. ``/file PATH``
sends a document, as an organiser would upload one; ``/as N`` carries on as person N, so
one keyboard can play several supporters, and shows what the bot sent N meanwhile. Files the
bot sends are written to a folder and their path is printed. The demo's own notes are in the
demo's language, like the bot's answers. ``TerminalSender`` lets the outbox worker deliver
here too.
"""

from __future__ import annotations

import asyncio
import itertools
import shlex
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.dispatcher import Dispatcher
from bot.sending import ChatId, Rejected
from handlers.contract import Button, Document, File, Incoming, Notice, Reply, Text
from handlers.i18n import Translator
from uareader.phrases import N_

PLATFORM = "terminal"
#: Messages kept for each person not at the keyboard, shown when the demo switches to them;
#: the oldest go first, so a broadcast in a long demo costs no more than this.
WAITING_PER_PERSON = 20


class TerminalChannel:
    def __init__(
        self,
        dispatcher: Dispatcher,
        stdin: TextIO,
        stdout: TextIO,
        files_dir: Path,
        tr: Translator,
        user_id: int = 1,
        language_hint: str | None = None,
        samples: Sequence[Path] = (),
    ) -> None:
        self.dispatcher = dispatcher
        #: Documents shipped to try the organiser's side with, suggested by a bare /file.
        self.samples = tuple(samples)
        self.tr = tr
        self.stdin = stdin
        self.stdout = stdout
        self.files_dir = files_dir
        self.user_id = user_id
        self.language_hint = language_hint
        self._buttons: list[Button] = []
        self._waiting: dict[ChatId, list[Text]] = {}

    def _print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _note(self, message: str, **values: object) -> None:
        """A line of the demo's own, not the bot's: in brackets, in the demo's language."""
        self._print("(" + self.tr.gettext(message).format(**values) + ")")

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
                self._note(N_("choose 1 to {count}"), count=len(self._buttons))
                return None
            button = self._buttons[number - 1]
            if button.url:
                self._note(N_("link: {url}"), url=button.url)
                return None
            return self._incoming(callback_data=button.data)
        if line.startswith("/as ") or line == "/as":
            person = line[3:].strip()
            if not (person.isascii() and person.isdigit() and 1 <= int(person) <= 999):
                self._note(N_("write /as and a number from 1 to 999: /as 2"))
                return None
            self.switch_to(int(person))
            return None
        if line.startswith("/file"):
            if not line[len("/file") :].strip():
                self._note(N_("send a UA document: /file PATH. To try, the demo ships these:"))
                for sample in self.samples:
                    self._print(f"/file {sample}")
                return None
            path = Path(line[len("/file") :].strip()).expanduser()
            try:
                content = path.read_bytes()
            except OSError as error:
                self._note(N_("cannot read {path}: {error}"), path=path, error=error.strerror)
                return None
            return self._incoming(document=Document(path.name, content))
        if line.startswith("/"):
            command, _, rest = line[1:].partition(" ")
            command = command.partition("@")[0]  # /start@uabot, as typed in Telegram groups
            try:
                args = tuple(shlex.split(rest))
            except ValueError:
                args = tuple(rest.split())
            return self._incoming(command=command, args=args, text=line)
        return self._incoming(text=line)

    def render(self, replies: Sequence[Reply]) -> None:
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
                self._note(N_("file saved: {path}"), path=path)
                if reply.caption:
                    self._print(reply.caption)
            elif isinstance(reply, Notice):
                self._print(f"({reply.text})")

    def switch_to(self, person: int) -> None:
        """Carry on as ``person``, first showing what the bot sent them meanwhile. Their
        role is not named: it is in the database, and /help shows what they may do."""
        self.user_id, self._buttons = person, []
        if person == ADMIN:
            self._note(N_("you are now person {person}, the admin"), person=person)
        else:
            self._note(N_("you are now person {person}"), person=person)
        waiting = self._waiting.pop(person, [])
        if waiting:
            note = self.tr.ngettext(
                "{count} message arrived for you meanwhile",
                "{count} messages arrived for you meanwhile",
                len(waiting),
            )
            self._print("(" + note.format(count=len(waiting)) + ")")
            self.render(waiting)

    def deliver(self, chat_id: ChatId, text: Text) -> None:
        """A message the worker sends: shown in full (buttons pressable) to the person at
        the keyboard; for anyone else a one-line note, the message kept for ``/as``."""
        if chat_id == self.user_id:
            self._note(N_("a message arrives"))
            self.render([text])
            return
        waiting = self._waiting.setdefault(chat_id, [])
        waiting.append(text)
        del waiting[:-WAITING_PER_PERSON]
        first = text.text.strip().splitlines()[0] if text.text.strip() else ""
        self._note(N_("to person {person}: {text}"), person=chat_id, text=first[:70])

    async def run(self) -> None:
        self._print(
            self.tr.gettext(
                "uabot demo: an offline chat. Type /start; type a number to press a button;\n"
                "/file PATH sends a UA document (person 1, you, is the admin here); /as N\n"
                "carries on as person N; /quit ends."
            )
        )
        lines = _lines_of(self.stdin)
        while True:
            self.stdout.write("> ")
            self.stdout.flush()
            line = await lines.get()
            if line is None or line.strip() in ("/quit", "/exit"):
                self._print()
                return
            incoming = self.parse(line)
            if incoming is not None:
                self.render(await self.dispatcher.handle(incoming))


#: The person the demo starts as, its configured admin.
ADMIN = 1


def _lines_of(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines typed, read by a daemon thread: Ctrl-C must not wait for a last Enter, as it
    would for a read in asyncio's default executor. None marks the end of input."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in iter(stream.readline, ""):
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="demo-input", daemon=True).start()
    return lines


class TerminalSender:
    """The Bot API's part for the outbox worker in the demo: messages to the terminal."""

    def __init__(self, channel: TerminalChannel) -> None:
        self.channel = channel
        self._message_ids = itertools.count(1)

    async def send_text(self, chat_id: ChatId, text: Text, *, paid: bool = False) -> int:
        self.channel.deliver(chat_id, text)  # the terminal has no rate to pay for
        return next(self._message_ids)

    async def star_balance(self) -> None:
        """The demo has no Telegram account, so no Stars: paid broadcast is never offered."""

    async def edit_text(self, chat_id: int, message_id: int, text: Text) -> None:
        if chat_id == self.channel.user_id:  # a broadcast's progress, to its organiser
            self.channel._note(N_("progress: {text}"), text=text.text.splitlines()[0])

    async def bot_username(self) -> str:
        raise Rejected("the demo has no Telegram username, so no link to it")

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        """Nothing to answer: the terminal shows no spinner on a pressed button."""

    async def send_file(self, chat_id: int, file: File) -> None:
        if chat_id == self.channel.user_id:
            self.channel.render([file])

    async def download(self, file_id: str) -> bytes:
        raise Rejected("the demo's files come by /file PATH, never by an id")

    async def set_commands(
        self, commands: list[tuple[str, str]], language: str | None, chat_id: int | None
    ) -> None:
        """A terminal has no command menu; /help lists the commands."""

    async def delete_commands(self, chat_id: int) -> None:
        """A terminal has no command menu."""

    async def set_descriptions(self, description: str, short: str, language: str | None) -> None:
        """A terminal has no profile to describe the bot on."""
