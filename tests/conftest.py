"""Shared fixtures: a real database (SQLite always, PostgreSQL when configured), an app with a
controllable clock, and ``Chat``, which talks to the bot as a person would."""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

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
from storage.database import create_engine, upgrade
from storage.supporters import add_supporter
from tests.fake_bot_api import FakeBotAPI
from uareader.document import UADraft, parse_document
from uareader.isolated import DocumentReader


def _database_of_this_worker(url: str | None) -> str | None:
    """The test database of this pytest-xdist worker ("test_gw0" for "test"): workers run
    at once, and a test empties, copies, locks and makes read-only its database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = _database_of_this_worker(os.environ.get("UABOT_TEST_POSTGRES_URL"))
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
#: Ids no log time stamp, count or hash can spell by chance (900 once matched the
#: milliseconds of a log line's time stamp).
ADMIN_ID = 7_000_900_001
START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class NotATestDatabase(RuntimeError):
    """The PostgreSQL database named for the tests may hold real data."""


def _test_database_name(url: str) -> str:
    """The database's name, once it says it is for tests: a URL pasted from production must
    cost an error message, not the data."""
    name = make_url(url).database or ""
    if "test" not in name.lower():
        raise NotATestDatabase(
            f"refusing to drop every table of the PostgreSQL database {name!r}: the tests "
            "empty the database they are given, so its name must contain 'test'. Create one "
            "(createdb uabot_test) and point UABOT_TEST_POSTGRES_URL at it."
        )
    return name


async def reset_postgres(url: str) -> None:
    """Drop every table of a PostgreSQL database: a test (or benchmark) starts empty."""
    _test_database_name(url)
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the group marks added here
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, so that no worker is left with one at the end while the other
    has finished; the timed tests to one worker as one group (``--dist loadgroup``), one
    after another, so that the others wait for them once rather than once each, and last
    (``--no-loadscope-reorder`` keeps this order; by default xdist starts with the largest
    group): first, the group waited 31 s and 50 s for the other worker's slow test to end,
    while at the end that worker has little left to finish before it would idle anyway."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("timed") is not None,
            item.get_closest_marker("slow") is None,
        )
    )
    for item in items:
        if item.get_closest_marker("timed"):
            item.add_marker(pytest.mark.xdist_group("timed"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    item.stash[_NEXT_IS_TIMED] = nextitem is not None and bool(nextitem.get_closest_marker("timed"))
    return (yield)


_NEXT_IS_TIMED = pytest.StashKey[bool]()
#: The exclusive locks a run of timed tests holds, from its first test to its last.
_held: list[TextIO] = []


def _lock(path: Path, mode: int) -> TextIO:
    handle = open(path, "a")  # noqa: SIM115 (held beyond this function: closed by the caller)
    fcntl.flock(handle, mode)
    return handle


@pytest.fixture(autouse=True)
def _alone_when_timed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """A test marked ``timed`` judges real seconds (Telegram's 30 messages a second, the
    pacer's turns): it runs while no other test does. With two workers, the other
    worker's heavy tests once starved the budget test's process of the CPU, and 9 of its
    messages arrived as the 31st of their second.

    Every other test holds a shared lock on a file all workers see; a run of timed tests
    holds it exclusively, from the first to the last. A gate in front of it keeps a test
    from starting while a timed one waits (else the two workers could take turns)."""
    folder = tmp_path_factory.getbasetemp().parent  # the same for every worker
    gate, lock = folder / "timed-tests.gate", folder / "timed-tests.lock"
    if request.node.get_closest_marker("timed") is None:
        _release_timed()  # the run's last timed tests were skipped: none released it
        _lock(gate, fcntl.LOCK_SH).close()
        with _lock(lock, fcntl.LOCK_SH):
            yield
        return
    if not _held:
        _held.extend([_lock(gate, fcntl.LOCK_EX), _lock(lock, fcntl.LOCK_EX)])
    yield
    if not request.node.stash.get(_NEXT_IS_TIMED, False):
        _release_timed()


def _release_timed() -> None:
    while _held:
        _held.pop().close()


DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="UABOT_TEST_POSTGRES_URL not set"),
    ),
]


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _admin_url(url: str) -> str:
    """The server's maintenance database, from which a test database is dropped and made."""
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


async def _make_anew(name: str, template: str | None = None) -> None:
    """Drop the test server's database ``name``, cutting off whoever is still connected (a
    `uabot run` of the test before), and make it again: a copy of ``template``, or empty."""
    assert POSTGRES_URL
    copy = f' TEMPLATE "{template}"' if template else ""
    engine = create_engine(_admin_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once a session, copied for each test: migrating took about
    0.1 s a test, a copy takes a millisecond."""
    path = tmp_path_factory.mktemp("template") / "uabot.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session", autouse=True)
def postgres_template() -> str:
    """A PostgreSQL database migrated once a session, from which each test's is made
    (CREATE DATABASE ... TEMPLATE: about 35 ms, against 190 ms to empty and migrate). The
    test database is made here too: a pytest-xdist worker's may not exist yet."""
    if not POSTGRES_URL:
        return ""
    name = _test_database_name(POSTGRES_URL)
    template = f"{name}_template"
    asyncio.run(_make_anew(template))
    template_url = make_url(POSTGRES_URL).set(database=template)
    asyncio.run(_migrate(template_url.render_as_string(hide_password=False)))
    asyncio.run(_make_anew(name, template))
    return template


@pytest.fixture(params=DATABASES)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_template: str
) -> str:
    """A migrated database of each kind, one per test, copied from the session's template;
    any other process (a `uabot run` of the test before) is cut off first."""
    if request.param == "sqlite":
        path = tmp_path / "uabot.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    assert POSTGRES_URL
    await _make_anew(_test_database_name(POSTGRES_URL), postgres_template)
    return POSTGRES_URL


@pytest.fixture(params=DATABASES)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind, for the tests of migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'uabot.db'}"
    assert POSTGRES_URL
    await _make_anew(_test_database_name(POSTGRES_URL))
    return POSTGRES_URL


class InProcessReader(DocumentReader):
    """Reads a document in the test's own process. A child process for each upload cost
    each such test about half a second (Python's start, the readers' imports); the tests of
    the isolated reader itself set ``app.documents`` to a ``DocumentReader``."""

    async def read(self, filename: str, content: bytes) -> UADraft:
        return parse_document(filename, content)


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
    application.documents = InProcessReader()
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
