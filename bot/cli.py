"""The ``uabot`` command: run the bot, the offline demo, migrations, keys, UAs and figures."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

from bot import uacommands
from bot.app import build_app
from bot.config import ConfigError, Settings, load_settings
from bot.figures import print_broadcasts, print_stats
from bot.maintenance import backup, read_new_key, rotate
from bot.privacy import configure_logging, redact
from bot.progress import follow
from bot.uacommands import EXIT_USAGE
from storage.crypto import SecretKeyError, generate_secret_key
from storage.database import (
    SchemaError,
    create_engine,
    database_name,
    downgrade,
    unreachable,
    unreachable_reason,
    upgrade,
)
from storage.keycheck import UnfinishedRotation

NO_TOKEN = """\
uabot run: no Telegram bot token is configured.
Set telegram.token in {config} or the UABOT_TELEGRAM__TOKEN environment variable.
Get a token by talking to @BotFather in Telegram (/newbot).
To try the bot offline without a token, run: uabot demo"""

WRONG_TOKEN = """\
uabot run: Telegram refused the bot token (401 Unauthorized).
Check telegram.token in {config} or UABOT_TELEGRAM__TOKEN: it is the whole line @BotFather
gave, like 123456789:AAH... If you revoked it, ask @BotFather for the new one (/token)."""

UNREACHABLE = """\
uabot run: Telegram's Bot API did not answer at start-up ({reason}).
Check this machine's network, and telegram.api_base_url in {config} if you changed it."""

PORT_TAKEN = """\
uabot run: {reason}.
Stop the other program, or choose another address in {config}: telegram.listen for the
webhook, metrics.listen for /metrics."""

NO_SECRET_KEY = """\
uabot run: no secret key is configured, and the bot stores Telegram ids only encrypted.
Make one with `uabot keygen` and put it in security.secret_key in {config}
or in the UABOT_SECRET_KEY environment variable. Keep it secret and keep a copy:
without it the stored ids cannot be read."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uabot", description="Urgent Actions for supporters on Telegram."
    )
    parser.add_argument("--version", action="version", version=f"uabot {version('uabot')}")
    config_help = "configuration file (default: $UABOT_CONFIG, else ./config.toml)"
    parser.add_argument("--config", type=Path, default=None, help=config_help)
    # Also after the command (`uabot run --config FILE`); SUPPRESS keeps a --config given
    # before it when none follows.
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    commands = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND"), config)
    commands.add_parser(
        "start", help="run on Telegram when a token is configured, else the offline demo"
    )
    commands.add_parser("run", help="run the bot on Telegram (needs a token)")
    demo = commands.add_parser("demo", help="an offline chat in the terminal, with a sample UA")
    demo.add_argument(
        "--language", choices=["en", "es"], default=None, help="the demo's language (en)"
    )
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument(
        "--downgrade",
        metavar="REVISION",
        default=None,
        help="go back to this revision instead: base (empty), or a number such as 0009",
    )
    commands.add_parser("keygen", help="print a new secret key for security.secret_key")
    copy = commands.add_parser(
        "backup", help="a consistent copy of the SQLite database, while the bot runs or not"
    )
    copy.add_argument("path", type=Path, help="the copy's file (must not exist yet)")
    rotate = commands.add_parser(
        "rotate-key", help="re-key the database under a new secret key (bot stopped)"
    )
    rotate.add_argument(
        "--new-key-file", type=Path, default=None, help="else $UABOT_NEW_SECRET_KEY"
    )

    ua = commands.add_parser("ua", help="parse, import, list, show, publish and close UAs")
    ua_commands = _Commands(
        ua.add_subparsers(dest="ua_command", metavar="ACTION", required=True), config
    )
    parse = ua_commands.add_parser("parse", help="show the fields read from a UA document")
    parse.add_argument("file", type=Path)
    parse.add_argument("--json", action="store_true", help="print one JSON object")
    imports = ua_commands.add_parser("import", help="store a UA document as a draft")
    imports.add_argument("file", type=Path)
    imports.add_argument("--lang", choices=["en", "es"], default=None)
    ua_commands.add_parser("list", help="list stored UAs")
    show = ua_commands.add_parser("show", help="show one UA number and its updates")
    show.add_argument("number")
    publish = ua_commands.add_parser("publish", help="publish the newest draft of a UA number")
    publish.add_argument("number")
    publish.add_argument(
        "--follow", action="store_true", help="then show its progress until it is sent"
    )
    close = ua_commands.add_parser("close", help="end a UA early: no more reminders")
    close.add_argument("number")
    deadline = ua_commands.add_parser("deadline", help="move the deadline of a live UA")
    deadline.add_argument("number")
    deadline.add_argument("date", help="YYYY-MM-DD, from today on")
    stats = commands.add_parser(
        "stats", help="actions counted per UA number and update, and broadcasts running"
    )
    stats.add_argument("number", nargs="?")
    stats.add_argument(
        "--follow", action="store_true", help="redraw the running broadcasts until they end"
    )
    return parser


class _Commands:
    """Subcommands that all take --config, wherever it is written."""

    def __init__(self, actions: Any, config: argparse.ArgumentParser) -> None:
        self.actions, self.config = actions, config

    def add_parser(self, name: str, **options: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self.actions.add_parser(
            name, parents=[self.config], **options
        )
        return parser


def _config_path(config: Path | None) -> Path | None:
    """--config, else $UABOT_CONFIG, else ./config.toml when there is one."""
    if config is None and os.environ.get("UABOT_CONFIG"):
        config = Path(os.environ["UABOT_CONFIG"])
    if config is None and Path("config.toml").exists():
        config = Path("config.toml")
    return config


def _settings(config: Path | None) -> Settings:
    return load_settings(_config_path(config), environ=os.environ)


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point; returns the exit status (2 for usage and configuration errors)."""
    try:
        return _main(argv, stdout or sys.stdout)
    except BrokenPipeError:  # `uabot stats | head`: the reader has all it wanted
        if stdout is None:  # Python's last flush at exit would fail on the closed pipe too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None, out: TextIO) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging(logging.WARNING, [])
    if args.command is None:
        parser.print_help(out)
        return 0
    if args.command == "keygen":
        print(generate_secret_key(), file=out)
        return 0
    if args.command == "ua" and args.ua_command == "parse":
        return uacommands.parse(args.file, args.json, out)
    if args.command == "demo":
        return _demo(out, args.language)
    try:
        settings = _settings(args.config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    if args.command == "start":
        if not settings.telegram.token:
            print("No Telegram token is configured: starting the offline demo.", file=out)
            return _demo(out, None)
        args.command = "run"
    try:
        return _run_command(args, settings, out)
    except Exception as error:
        if not unreachable(error):
            raise
        return _database_unreachable(args.command, settings, error)


def _database_unreachable(command: str, settings: Settings, error: BaseException) -> int:
    """What to check when the database cannot be reached, instead of the driver's traceback."""
    reason = redact(unreachable_reason(error), settings.secrets())[:300]
    print(
        f"uabot {command}: cannot reach the database {database_name(settings.database.url)} "
        f"({reason}). Check database.url and that the database server is running.",
        file=sys.stderr,
    )
    return 1


def _run_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    config_name = str(_config_path(args.config) or "config.toml")
    if args.command == "migrate":
        return asyncio.run(_migrate(settings, args.downgrade, out))
    if args.command == "backup":
        return backup(settings, args.path, out)
    if args.command == "run":
        configure_logging(
            settings.logging.level,
            settings.secrets(),
            as_json=settings.logging.format == "json",
        )
        if not settings.telegram.token:
            print(NO_TOKEN.format(config=config_name), file=sys.stderr)
            return EXIT_USAGE
        if not settings.security.secret_key:
            print(NO_SECRET_KEY.format(config=config_name), file=sys.stderr)
            return EXIT_USAGE
        from bot.http import CannotListen
        from bot.runner import run_bot
        from bot.sending import SendError, Unauthorized

        try:
            return asyncio.run(run_bot(settings))
        except (SecretKeyError, UnfinishedRotation) as error:
            print(f"uabot run: {error}", file=sys.stderr)
            return EXIT_USAGE
        except Unauthorized:
            print(WRONG_TOKEN.format(config=config_name), file=sys.stderr)
            return EXIT_USAGE
        except CannotListen as error:
            print(PORT_TAKEN.format(reason=error, config=config_name), file=sys.stderr)
            return 1
        except SendError as error:  # at start-up, before any update
            reason = redact(str(error), settings.secrets())
            print(UNREACHABLE.format(reason=reason, config=config_name), file=sys.stderr)
            return 1
        except Exception as error:
            if unreachable(error):  # at start-up: later, updates wait for the database
                return _database_unreachable("run", settings, error)
            # Through the log, masked: a library error may quote the token.
            logging.getLogger("uabot.run").exception("uabot run stopped by an error")
            return 1
    if not settings.security.secret_key:
        print(
            NO_SECRET_KEY.format(config=config_name).replace("uabot run", "uabot"), file=sys.stderr
        )
        return EXIT_USAGE
    if args.command == "rotate-key":
        try:
            new_key = read_new_key(args.new_key_file)
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror or "" if isinstance(error, OSError) else "not a text file"
            print(
                f"uabot rotate-key: cannot read the new key from {args.new_key_file}: {reason}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return asyncio.run(rotate(settings, new_key, out))
    try:
        return asyncio.run(_with_app(settings, args, out))
    except (SecretKeyError, UnfinishedRotation) as error:
        print(f"uabot: {error}", file=sys.stderr)
        return EXIT_USAGE


def _demo(out: TextIO, language: str | None) -> int:
    """The offline demo; Ctrl-C ends it as /quit does, without a traceback."""
    from bot.demo import run_demo  # the terminal channel and worker, only when asked for

    try:
        return asyncio.run(run_demo(sys.stdin, out, language=language))
    except KeyboardInterrupt:
        print(file=out)
        return 0


async def _migrate(settings: Settings, revision: str | None, out: TextIO) -> int:
    engine = create_engine(settings.database.url)
    try:
        if revision:
            await downgrade(engine, revision)
            print(f"database downgraded to {revision}", file=out)
        else:
            before, after = await upgrade(engine)
            if before == after:
                print(f"database is up to date (revision {after})", file=out)
            else:
                print(
                    f"database migrated from revision {before or 'empty'} to {after}: "
                    "it is up to date",
                    file=out,
                )
    except SchemaError as error:
        print(f"uabot migrate: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await engine.dispose()
    return 0


async def _with_app(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    assert settings.security.secret_key
    try:
        app = await build_app(settings, secret_key=settings.security.secret_key, migrate=False)
    except SchemaError as error:
        print(f"uabot {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "stats":
            status = await print_stats(app, args.number, out)
            if status == 0:
                await print_broadcasts(app, args.follow, out)
            return status
        if args.ua_command == "import":
            return await uacommands.import_file(app, args.file, args.lang, out)
        if args.ua_command == "list":
            return await uacommands.list_uas(app, out)
        if args.ua_command == "show":
            return await uacommands.show(app, args.number, out)
        if args.ua_command == "close":
            return await uacommands.close(app, args.number, out)
        if args.ua_command == "deadline":
            return await uacommands.move_deadline(app, args.number, args.date, out)
        status = await uacommands.publish(app, args.number, out)
        if status == 0 and args.follow:
            await follow(app, out)
        return status
    finally:
        await app.close()


if __name__ == "__main__":
    raise SystemExit(main())
