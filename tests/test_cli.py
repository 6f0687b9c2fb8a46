"""The ``uabot`` command as a user runs it: help, run without a token, UAs, stats, the demo."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest

from bot.cli import main
from bot.privacy import NOISY_LOGGERS
from storage.crypto import generate_secret_key
from tests.conftest import FIXTURES, POSTGRES_URL, reset_postgres
from tests.live import free_port, start_uabot_process, without_settings

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "storage" / "migrations" / "versions"


def uabot(*args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path = ROOT):
    """``uabot`` in a process of its own: for what only a process shows (its entry point,
    a pipe closed under it, signals, the demo's terminal, ``run``)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=without_settings(env),
        cwd=cwd,
        timeout=120,
    )


@dataclass(frozen=True)
class Ran:
    """What a person at the terminal sees of one command."""

    returncode: int
    stdout: str
    stderr: str


def uabot_here(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Ran:
    """``uabot`` by its ``main`` in this process, with only ``env``'s settings in the
    environment, from ``cwd``: the same exit status and output, without the 1.6 s a new
    interpreter spends importing the bot (each of this file's 50 commands paid it). The
    logging ``main`` sets up is undone, so later tests' captured logs stay whole."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, without_settings(env), clear=True),
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _logging_restored(),
    ):
        try:
            code = main(list(args), stdout=out)
        except SystemExit as exit:  # argparse's refusals and --help
            code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 2
    return Ran(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, noisy_level in levels.items():
            logging.getLogger(name).setLevel(noisy_level)


SPANISH_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def future_copy(folder: Path, name: str) -> Path:
    """The fixture with its deadline moved to 90 days from today: these commands run on
    the real clock, and a UA's deadline is never more than two years away."""
    deadline = date.today() + timedelta(days=90)
    english = f"{deadline:%B} {deadline.day}, {deadline.year}"
    spanish = f"{deadline.day} de {SPANISH_MONTHS[deadline.month - 1]} de {deadline.year}"
    text = (FIXTURES / name).read_text(encoding="utf-8")
    copy = folder / name
    copy.write_text(text.replace("July 15, 2026", english).replace("15 de julio de 2026", spanish))
    return copy


def test_help_lists_the_commands() -> None:
    result = uabot("--help")
    assert result.returncode == 0
    for command in ("run", "demo", "migrate", "keygen", "ua", "stats", "--version"):
        assert command in result.stdout
    assert uabot("--version").stdout.startswith("uabot ")


def test_run_without_a_token_exits_2_and_says_what_to_do(tmp_path: Path) -> None:
    result = uabot("run", cwd=tmp_path)
    assert result.returncode == 2
    for hint in ("telegram.token", "UABOT_TELEGRAM__TOKEN", "@BotFather", "uabot demo"):
        assert hint in result.stderr


def test_run_without_a_secret_key_exits_2(tmp_path: Path) -> None:
    result = uabot("run", env={"UABOT_TELEGRAM_TOKEN": "123:abc"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "uabot keygen" in result.stderr and "UABOT_SECRET_KEY" in result.stderr


def test_invalid_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[broadcast]\nrate_per_second = -3\n")
    result = uabot("--config", str(config), "run")
    assert result.returncode == 2
    assert "broadcast.rate_per_second (line 2)" in result.stderr
    malformed = uabot("run", env={"UABOT_TELEGRAM__TOKEN": "abc"}, cwd=tmp_path)
    assert malformed.returncode == 2 and "Traceback" not in malformed.stderr
    assert "telegram.token (from UABOT_TELEGRAM__TOKEN)" in malformed.stderr


def test_ua_parse_json() -> None:
    result = uabot_here("ua", "parse", str(FIXTURES / "ua-en-two-targets.txt"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ua_number"] == "45/26" and data["update_ordinal"] == 1
    assert data["deadline"] == "2026-07-15" and data["issue_date"] == "2026-05-02"
    assert [t["name"] for t in data["targets"]] == ["Dr. Irene Solís", "Mr. Pablo Rivas"]
    for key in ("index", "country", "language", "cc", "preferred_language", "letter", "warnings"):
        assert key in data


def test_ua_parse_json_of_an_incomplete_ua_names_what_is_missing(tmp_path: Path) -> None:
    text = (FIXTURES / "ua-en-two-targets.txt").read_text(encoding="utf-8")
    document = tmp_path / "incomplete.txt"
    document.write_text(
        text.replace("UA: 45/26", "Ref 45").replace("UA 45.26", "it").replace("UNTIL:", "-"),
        encoding="utf-8",
    )
    result = uabot_here("ua", "parse", str(document), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["missing"] == ["ua_number", "deadline"]
    assert data["ua_number"] is None and data["deadline"] is None
    assert data["index"] == "AMR 99/4521/2026"
    env = {
        "UABOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "UABOT_SECRET_KEY": generate_secret_key(),
    }
    assert uabot_here("migrate", env=env, cwd=tmp_path).returncode == 0
    stored = uabot_here("ua", "import", str(document), env=env, cwd=tmp_path)
    assert "stored UA without a number yet (en, draft)" in stored.stdout, stored.stderr
    assert "missing before publishing: ua_number, deadline" in stored.stdout


def test_ua_parse_refuses_what_is_not_a_ua() -> None:
    result = uabot_here("ua", "parse", str(FIXTURES / "not-a-ua.txt"))
    assert result.returncode == 2
    assert "URGENT ACTION" in result.stderr


@pytest.mark.slow
def test_import_list_show_publish_and_stats(tmp_path: Path) -> None:
    env = {
        "UABOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "UABOT_SECRET_KEY": generate_secret_key(),
    }
    assert uabot_here("migrate", env=env, cwd=tmp_path).returncode == 0
    old = uabot_here("ua", "import", str(FIXTURES / "ua-old-layout.txt"), env=env, cwd=tmp_path)
    assert old.returncode == 0, old.stderr
    assert "warning: the deadline 2019-07-15 has passed" in old.stdout
    refused = uabot_here("ua", "publish", "123/19", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "is not ready; still needed:" in refused.stderr
    assert "a deadline from today on (2019-07-15 has passed)" in refused.stderr
    assert "set the deadline with `uabot ua deadline 123/19 YYYY-MM-DD`" in refused.stderr
    assert "Correct a field" not in refused.stderr
    english = uabot_here(
        "ua", "import", str(future_copy(tmp_path, "ua-en-two-targets.txt")), env=env, cwd=tmp_path
    )
    assert "stored UA 45/26 (en, draft)" in english.stdout, english.stderr
    spanish = uabot_here(
        "ua",
        "import",
        str(future_copy(tmp_path, "ua-es-two-targets.txt")),
        "--lang",
        "es",
        env=env,
        cwd=tmp_path,
    )
    assert spanish.returncode == 0
    listing = uabot_here("ua", "list", env=env, cwd=tmp_path).stdout
    deadline = (date.today() + timedelta(days=90)).isoformat()
    assert f"45/26\tFirst UA\tdraft\tuntil {deadline}\ten,es" in listing
    assert "123/19" in listing
    show = uabot_here("ua", "show", "45.26", env=env, cwd=tmp_path).stdout
    assert "[es] DOS DEFENSORES" in show and "to: Dr. Irene Solís; Mr. Pablo Rivas" in show
    published = uabot_here("ua", "publish", "45/26", env=env, cwd=tmp_path)
    assert "published UA 45/26: queued for 0" in published.stdout
    stats = uabot_here("stats", "45/26", env=env, cwd=tmp_path)
    assert stats.returncode == 0 and stats.stdout.startswith("ua\tupdate\tpeople")
    assert "45/26 total: 0 people" in stats.stdout  # each person once across updates
    missing = uabot_here("ua", "show", "1/99", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "uabot ua list" in missing.stderr

    # The chat's checks, on the command line: a date past or too far is refused.
    past = uabot_here("ua", "deadline", "45/26", "2020-01-01", env=env, cwd=tmp_path)
    assert past.returncode == 2 and "already passed" in past.stderr
    later = (date.today() + timedelta(days=120)).isoformat()
    moved = uabot_here("ua", "deadline", "45/26", later, env=env, cwd=tmp_path)
    assert f"the deadline of UA 45/26 is now {later}" in moved.stdout, moved.stderr
    assert f"until {later}" in uabot_here("ua", "list", env=env, cwd=tmp_path).stdout
    not_a_date = uabot_here("ua", "deadline", "45/26", "soon", env=env, cwd=tmp_path)
    assert not_a_date.returncode == 2 and "YYYY-MM-DD" in not_a_date.stderr
    closed = uabot_here("ua", "close", "45/26", env=env, cwd=tmp_path)
    assert "UA 45/26 is closed" in closed.stdout, closed.stderr
    assert "(closed)" in uabot_here("ua", "show", "45/26", env=env, cwd=tmp_path).stdout
    again = uabot_here("ua", "close", "45/26", env=env, cwd=tmp_path)
    assert "already closed" in again.stdout


def test_migrate_up_and_down(tmp_path: Path) -> None:
    env = {"UABOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"}
    first = uabot_here("migrate", env=env, cwd=tmp_path).stdout
    assert "database migrated from revision empty to 00" in first and "up to date" in first
    assert (
        "database is up to date (revision 00" in uabot_here("migrate", env=env, cwd=tmp_path).stdout
    )
    assert (
        "downgraded to base"
        in uabot_here("migrate", "--downgrade", "base", env=env, cwd=tmp_path).stdout
    )
    unknown = uabot_here("migrate", "--downgrade", "nonsense", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "name one of: base, 0001, 0002" in unknown.stderr


@pytest.mark.parametrize("command", [("migrate",), ("stats",), ("run",)])
def test_a_database_that_cannot_be_reached_is_named_without_a_traceback(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = {
        "UABOT_DATABASE__URL": f"postgresql+asyncpg://uabot:pw@127.0.0.1:{free_port()}/uabot",
        "UABOT_SECURITY__SECRET_KEY": generate_secret_key(),
        "UABOT_TELEGRAM__TOKEN": "123:abc",
    }
    result = uabot(*command, env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"uabot {command[0]}: cannot reach the database postgresql" in result.stderr
    assert "ConnectionRefusedError" in result.stderr and ":pw@" not in result.stderr


@pytest.mark.parametrize("setting", ["metrics.listen", "telegram.listen"])
async def test_a_port_in_use_is_named_as_such_not_as_the_database(
    tmp_path: Path, api, setting: str
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    section, key = setting.split(".")
    config = f'[{section}]\n{key} = "127.0.0.1:{port}"\n'
    if section == "telegram":
        config += 'mode = "webhook"\nurl = "https://bot.example/hook"\nsecret_token = "s3cret"\n'
    else:  # either library serves the metrics; PTB's process starts 2.5 s sooner
        config += '[telegram]\nlibrary = "ptb"\n'
    database = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    try:
        process = await start_uabot_process(
            api, database, generate_secret_key(), tmp_path, config=config
        )
        assert await asyncio.wait_for(process.wait(), 60) == 1
    finally:
        taken.close()
    said = (tmp_path / "uabot.log").read_text()
    assert f"uabot run: cannot listen on 127.0.0.1:{port}: the port is in use." in said
    assert "database" not in said and "Traceback" not in said


def test_output_cut_short_by_the_reader_is_no_error(tmp_path: Path) -> None:
    """`uabot ... | head -1`: the pipe closes before uabot has written everything."""
    env = {**os.environ, "UABOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"}
    cli = [sys.executable, "-m", "bot.cli"]
    head = subprocess.run(
        f"{' '.join(cli)} --help | head -c 1", shell=True, capture_output=True, env=env, text=True
    )
    reader = subprocess.Popen(
        [*cli, "ua", "parse", str(FIXTURES / "ua-en-two-targets.txt")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert reader.stdout is not None
    reader.stdout.read(1)
    reader.stdout.close()  # the reader goes away after one byte
    _, errors = reader.communicate()
    assert reader.returncode == 0 and b"Traceback" not in errors, errors
    assert head.returncode == 0


def test_keygen_prints_a_usable_key() -> None:
    from storage.crypto import IdentityVault

    key = uabot_here("keygen").stdout.strip()
    IdentityVault(key)


@pytest.mark.parametrize("language", ["en", "es"])
def test_demo_walks_through_a_ua_in_the_terminal(tmp_path: Path, language: str) -> None:
    typed = "\n".join(["/start", "4", "1", "1", "2", "1", "/ua 101/26", "/quit"])
    result = uabot("demo", "--language", language, stdin=typed, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    if language == "en":
        assert "Welcome!" in out and "[1] English" in out
        assert "Open Urgent Actions:" in out and "Step 1 of 5" in out
        assert "JOURNALIST HELD WITHOUT CHARGE" in out
        assert "Step 3 of 5" in out and "Señor Ministro:" in out
    else:
        assert "¡Te damos la bienvenida!" in out
        assert "PERIODISTA DETENIDA" in out and "Paso 3 de 5" in out
    assert not list(tmp_path.glob("*.db")), "the demo keeps nothing behind"


def test_demo_lets_you_play_the_organiser(tmp_path: Path) -> None:
    document = future_copy(tmp_path, "ua-en-two-targets.txt")
    typed = "\n".join([f"/file {document}", "1", "1", "/actions", "/quit"])
    result = uabot("demo", stdin=typed, cwd=tmp_path)
    assert "Preview of UA 45/26 (draft)" in result.stdout
    assert "Send UA 45/26 to 0 subscribers now?\n  [1] Yes, send it" in result.stdout
    assert "Published UA 45/26" in result.stdout
    assert "TWO LAND DEFENDERS" in result.stdout


def test_the_demo_shows_its_own_ua_and_samples_and_tells_your_id(tmp_path: Path) -> None:
    typed = ["/help", "/myid", "/file", "/quit"]
    out = uabot("demo", stdin="\n".join(typed), cwd=tmp_path).stdout
    assert "/ua 101/26 – One Urgent Action, by its number" in out  # the demo's own number
    assert "/ua 72/24" not in out
    assert "Your Telegram user id is 1. An admin gives you a role with /grant 1 organiser" in out
    samples = [line.removeprefix("/file ") for line in out.splitlines() if "new-ua-" in line]
    assert [Path(sample).name for sample in samples] == ["new-ua-en.txt", "new-ua-es.txt"]
    tried = uabot("demo", stdin=f"/file {samples[0]}\n/quit", cwd=tmp_path).stdout
    assert "Preview of UA 102/26 (draft)" in tried
    assert "• who to write to: press “Correct a field”, then “Who to write to”" in tried
    assert "• the deadline: press “Correct a field”, then “Deadline”" in tried


def test_the_demo_speaks_its_language_in_its_own_notes_too(tmp_path: Path) -> None:
    typed = ["/as 2", "/start@uabot", "9", "/as 1", "/quit"]
    result = uabot("demo", "--language", "es", stdin="\n".join(typed), cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert out.startswith("demo de uabot: un chat sin conexión.")
    assert "(ahora eres la persona 2)" in out and "¡Te damos la bienvenida!" in out
    assert "(elige de 1 a 5)" in out  # "9" pressed none of the welcome's five buttons
    assert "(ahora eres la persona 1, quien administra)" in out


def test_a_changed_secret_key_is_refused_before_anything_happens(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    written = {"UABOT_DATABASE_URL": database, "UABOT_SECRET_KEY": generate_secret_key()}
    assert uabot_here("migrate", env=written, cwd=tmp_path).returncode == 0
    assert uabot_here("ua", "list", env=written, cwd=tmp_path).returncode == 0
    changed = {**written, "UABOT_SECRET_KEY": generate_secret_key()}
    refused = uabot_here("ua", "list", env=changed, cwd=tmp_path)
    assert refused.returncode == 2
    assert "not the key this database was written with" in refused.stderr


@pytest.mark.slow
def test_config_after_the_command_or_in_uabot_config_and_a_schema_not_ours(
    tmp_path: Path,
) -> None:
    """Only `uabot migrate` (and `uabot run`) change the schema; other commands refuse a
    schema that is behind or ahead, saying what to run."""
    database = tmp_path / "elsewhere.db"
    config = tmp_path / "settings" / "uabot.toml"
    config.parent.mkdir()
    config.write_text(  # relative: to the folder the commands run in
        f'[database]\nurl = "sqlite+aiosqlite:///{database.name}"\n'
        f'[security]\nsecret_key = "{generate_secret_key()}"\n',
        encoding="utf-8",
    )
    absent = uabot_here("ua", "list", "--config", str(config), cwd=tmp_path)
    assert absent.returncode == 2 and not database.exists()  # no empty file left behind
    assert f"there is no database at {database.resolve()}: run `uabot migrate`" in absent.stderr
    sqlite3.connect(database).close()
    empty = uabot_here("ua", "list", "--config", str(config), cwd=tmp_path)
    assert empty.returncode == 2
    assert f"the database {database.resolve()} is empty: run `uabot migrate`" in empty.stderr
    assert uabot_here("migrate", "--config", str(config), cwd=tmp_path).returncode == 0
    assert uabot_here("ua", "list", "--config", str(config), cwd=tmp_path).returncode == 0
    from_environment = uabot_here("stats", env={"UABOT_CONFIG": str(config)}, cwd=tmp_path)
    assert "subscribers now: 0 receive new UAs" in from_environment.stdout
    uabot_here("--config", str(config), "migrate", "--downgrade", "0011", cwd=tmp_path)
    behind = uabot_here("stats", "--config", str(config), cwd=tmp_path)
    assert behind.returncode == 2
    head = sorted(path.name[:4] for path in MIGRATIONS.glob("0*.py"))[-1]
    assert f"is behind this uabot ({head}): run `uabot migrate`" in behind.stderr
    with sqlite3.connect(database) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(audit_log)")}
    assert "times" not in columns  # not migrated
    uabot_here("migrate", "--config", str(config), cwd=tmp_path)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0042'")
    ahead = uabot_here("ua", "list", "--config", str(config), cwd=tmp_path)
    assert ahead.returncode == 2 and "(0042) is newer than this uabot knows" in ahead.stderr


def _tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_processes_starting_at_once_all_migrate(tmp_path: Path, kind: str) -> None:
    if kind == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("UABOT_TEST_POSTGRES_URL not set")
        asyncio.run(reset_postgres(POSTGRES_URL))
        url = POSTGRES_URL
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    environment = without_settings({"UABOT_DATABASE_URL": url})
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "migrate"],
            env=environment,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "up to date" in out


async def test_the_demo_delivers_what_it_publishes_and_ctrl_c_leaves_nothing(
    tmp_path: Path,
) -> None:
    """The worker runs in the demo: a UA published there reaches each subscribed person."""
    document = future_copy(tmp_path, "ua-en-two-targets.txt")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environment = without_settings()
    demo = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "demo",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**environment, "TMPDIR": str(scratch)},
        cwd=tmp_path,
    )
    assert demo.stdin and demo.stdout and demo.stderr
    typed = ["/subscribe", "/as 2", "/subscribe", "/stats", "/as 1", f"/file {document}", "1", "1"]
    demo.stdin.write("".join(line + "\n" for line in typed).encode())
    await demo.stdin.drain()
    seen = await _read_until(demo.stdout, "(to person 2: New Urgent Action: UA 45/26)")
    assert "Sorry, that is not something I can do for you." in seen  # person 2's /stats
    assert "New Urgent Action: UA 45/26" in seen.split("(a message arrives)", 1)[1]
    demo.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(demo.wait(), 30) == 0
    assert "Traceback" not in (await demo.stderr.read()).decode()
    assert not list(scratch.iterdir()), "the demo leaves no files behind"


async def _read_until(stream: asyncio.StreamReader, text: str, within: float = 60) -> str:
    seen = ""
    async with asyncio.timeout(within):
        while text not in seen:
            chunk = await stream.read(4096)
            assert chunk, f"the demo ended before saying {text!r}:\n{seen}"
            seen += chunk.decode()
    return seen
