"""Shared fixtures: a real database (SQLite always, PostgreSQL when configured), an app with a
controllable clock, and ``Chat``, which talks to the bot as a person would."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, make_url, select, text

from bot.app import App, build_app
from bot.channels.aiogram_channel import AiogramSender
from bot.config import Settings
from bot.dispatcher import Dispatcher
from handlers.clock import FixedClock
from handlers.contract import Button, Document, File, Incoming, Reply, Text
from storage.crypto import generate_secret_key
from storage.database import create_engine
from storage.supporters import add_supporter
from tests.fake_bot_api import FakeBotAPI

POSTGRES_URL = os.environ.get("UABOT_TEST_POSTGRES_URL")
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
#: Ids no log time stamp, count or hash can spell by chance (900 once matched the
#: milliseconds of a log line's time stamp).
ADMIN_ID = 7_000_900_001
START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class NotATestDatabase(RuntimeError):
    """The PostgreSQL database named for the tests may hold real data."""


async def reset_postgres(url: str) -> None:
    """Drop every table of a PostgreSQL database: each test (or benchmark) starts empty.
    Only a database whose name says it is for tests: a URL pasted from production must
    cost an error message, not the data."""
    name = make_url(url).database or ""
    if "test" not in name.lower():
        raise NotATestDatabase(
            f"refusing to drop every table of the PostgreSQL database {name!r}: the tests "
            "empty the database they are given, so its name must contain 'test'. Create one "
            "(createdb uabot_test) and point UABOT_TEST_POSTGRES_URL at it."
        )
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not POSTGRES_URL, reason="UABOT_TEST_POSTGRES_URL not set"),
        ),
    ]
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, one per test."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'uabot.db'}"
    assert POSTGRES_URL
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "bot": {"admins": [ADMIN_ID]},
            "broadcast": {"outcomes_file": str(tmp_path / "unwritten-outcomes.json")},
        }
    )


@pytest.fixture
def secret_key() -> str:
    """The test database's key: a second process on the same database needs the same."""
    return generate_secret_key()


@pytest.fixture
async def app(settings: Settings, clock: FixedClock, secret_key: str) -> AsyncIterator[App]:
    application = await build_app(settings, secret_key=secret_key, clock=clock)
    yield application
    await application.close()


@pytest.fixture
def dispatcher(app: App) -> Dispatcher:
    return Dispatcher(app)


_update_ids = itertools.count(1)


class Chat:
    """One person's private chat with the bot, driven through the real dispatcher."""

    def __init__(
        self, dispatcher: Dispatcher, user_id: int, language_hint: str | None = "en"
    ) -> None:
        self.dispatcher = dispatcher
        self.user_id = user_id
        self.language_hint = language_hint
        self.replies: list[Reply] = []
        self._update = 0

    async def _send(self, **fields: object) -> list[Reply]:
        self._update = next(_update_ids)
        incoming = Incoming(
            platform="telegram",
            user_id=self.user_id,
            chat_id=self.user_id,
            language_hint=self.language_hint,
            event_key=str(self._update),
            **fields,  # type: ignore[arg-type]
        )
        self.replies = await self.dispatcher.handle(incoming)
        return self.replies

    async def send(self, line: str) -> list[Reply]:
        if line.startswith("/"):
            command, _, rest = line[1:].partition(" ")
            return await self._send(command=command, args=tuple(rest.split()), text=line)
        return await self._send(text=line)

    async def upload(self, filename: str, content: bytes) -> list[Reply]:
        return await self._send(document=Document(filename, content))

    def buttons(self) -> list[Button]:
        return [
            button
            for reply in self.replies
            if isinstance(reply, Text)
            for row in reply.buttons
            for button in row
        ]

    def button(self, label: str) -> Button:
        """The button whose label contains ``label``, from the latest replies."""
        matches = [button for button in self.buttons() if label in button.label]
        assert matches, f"no button {label!r} in {[b.label for b in self.buttons()]}"
        return matches[0]

    async def press(self, label: str) -> list[Reply]:
        return await self._send(callback_data=self.button(label).data)

    async def open_step(self, number: str, step: int) -> list[Reply]:
        """Open a UA by number, then jump to a walkthrough step as its buttons would."""
        await self.send(f"/ua {number}")
        first_button = next(b for b in self.buttons() if b.data and b.data.startswith("ua:"))
        update_id = first_button.data.split(":")[1]
        return await self.press_data(f"ua:{update_id}:{step}")

    async def press_data(self, data: str) -> list[Reply]:
        return await self._send(callback_data=data)

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies if isinstance(reply, Text))

    @property
    def files(self) -> list[File]:
        return [reply for reply in self.replies if isinstance(reply, File)]


@pytest.fixture
def chat(dispatcher: Dispatcher):
    def make(user_id: int, language_hint: str | None = "en") -> Chat:
        return Chat(dispatcher, user_id, language_hint)

    return make


async def count(app: App, model: type, *where: object) -> int:
    """Rows of ``model`` (matching ``where``) in the app's database."""
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def correct(organiser: Chat, field: str, value: str) -> None:
    """An organiser corrects one field of the draft on screen through "Correct a field"."""
    await organiser.press("Correct a field")
    assert "Which field of" in organiser.text
    await organiser.press(field)
    await organiser.send(value)


async def publish_fixture(chat_factory, name: str = "ua-en-two-targets.txt") -> Chat:
    """An organiser (the configured admin) imports and publishes a fixture UA."""
    organiser = chat_factory(ADMIN_ID)
    await organiser.upload(name, fixture_bytes(name))
    await organiser.press("Publish")
    await organiser.press("Yes, send it")
    return organiser


FIRST_CHAT = 10_000


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sender(api: FakeBotAPI) -> AsyncIterator[AiogramSender]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url), timeout=1)
    bot = Bot(api.token, session=session)
    yield AiogramSender(bot)
    await bot.session.close()


@pytest.fixture(params=["aiogram", "ptb"])
async def any_sender(request, api, dispatcher, sender):
    """The worker's sender on each Telegram library."""
    if request.param == "aiogram":
        yield sender
        return
    from bot.channels.ptb_channel import PTBChannel

    channel = PTBChannel(dispatcher, api.token, api.base_url)
    await channel.application.initialize()
    yield channel.sender
    await channel.application.shutdown()


async def subscribe_many(
    app, count: int, discreet_every: int = 0, first: int = FIRST_CHAT
) -> list[int]:
    """``count`` subscribers, alternately English and Spanish, chat ids from ``first``."""
    chats = list(range(first, first + count))
    async with app.sessions() as session, session.begin():
        for n, chat_id in enumerate(chats):
            supporter = await add_supporter(
                session,
                platform="telegram",
                user_hash=app.vault.lookup_hash("telegram", chat_id),
                user_id_enc=app.vault.encrypt_id(chat_id),
                chat_id_enc=app.vault.encrypt_id(chat_id),
                language="es" if n % 2 else "en",
                today=date(2026, 6, 1),
            )
            supporter.subscribed = True
            supporter.discreet = bool(discreet_every) and n % discreet_every == 0
    return chats
