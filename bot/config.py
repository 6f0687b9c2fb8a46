"""Typed settings read from a TOML file, each overridable by a UABOT_* environment variable.

``UABOT_<SECTION>__<KEY>`` sets any setting (``UABOT_BOT__ADMINS='[1, 2]'``: lists and
tables as JSON), and ``..._FILE`` reads the value from a file instead, for container
secrets (``UABOT_TELEGRAM__TOKEN_FILE=/run/secrets/token``). The five older names
(``UABOT_TELEGRAM_TOKEN``...) still work.

Loading is a plain function with an injectable environment (``load_settings(path,
environ=...)``) so that tests build their own settings and nothing is read at import time.
An invalid file is refused whole, with the key, what was expected and the line where the
key stands, so the bot never starts half-configured.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url

from handlers.reminder_times import parse_offset, parse_window

DEFAULT_API_BASE_URL = "https://api.telegram.org"

#: Older names of five settings, still read: UABOT_SECTION__KEY is the general form.
ENVIRONMENT_OVERRIDES: dict[str, str] = {
    "UABOT_TELEGRAM_TOKEN": "telegram.token",
    "UABOT_TELEGRAM_API_BASE_URL": "telegram.api_base_url",
    "UABOT_WEBHOOK_SECRET_TOKEN": "telegram.secret_token",
    "UABOT_DATABASE_URL": "database.url",
    "UABOT_SECRET_KEY": "security.secret_key",
}


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix and where."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


_LISTEN = re.compile(r"^[A-Za-z0-9.\-\[\]:]*:(\d{1,5})$")


def check_listen(value: str) -> str:
    """A host:port to listen on, such as "127.0.0.1:9108"."""
    match = _LISTEN.match(value)
    if not match or int(match.group(1)) > 65535:
        raise ValueError(f"{value!r} is not an address to listen on, like '127.0.0.1:9108'")
    return value


Listen = Annotated[str, AfterValidator(check_listen)]


class TelegramSettings(_Section):
    token: str | None = None
    library: Literal["aiogram", "ptb"] = "aiogram"
    api_base_url: str = DEFAULT_API_BASE_URL
    mode: Literal["polling", "webhook"] = "polling"
    url: str | None = None
    listen: Listen = "127.0.0.1:8080"
    secret_token: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")

    @field_validator("token")
    @classmethod
    def _token_as_botfather_gives_it(cls, value: str | None) -> str | None:
        """Checked here: aiogram refuses a malformed token with a traceback at start-up,
        which a service manager would restart every few seconds forever."""
        if not value:
            return None
        if not re.fullmatch(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}", value):
            raise ValueError(
                "not a bot token: it looks like 123456789:AAE… (digits, a colon, then letters, "
                "digits, _ and -, no spaces); copy it again from @BotFather"
            )
        return value

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> TelegramSettings:
        if self.mode == "webhook" and not (self.url and self.secret_token):
            raise ValueError(
                "webhook mode needs telegram.url (the public HTTPS address) and "
                "telegram.secret_token (letters, digits, _ and -)"
            )
        if self.mode == "webhook" and self.api_base_url.rstrip("/") == DEFAULT_API_BASE_URL:
            _check_telegram_can_call(self.url or "")
        return self


# Telegram's own servers call a webhook only over HTTPS and only on these ports
# (Bot API, setWebhook); a local Bot API server (another api_base_url) calls any URL.
WEBHOOK_PORTS = (443, 80, 88, 8443)


def _check_telegram_can_call(url: str) -> None:
    """Refused here rather than by setWebhook after start-up, where the service manager
    would restart the bot every few seconds with the reason buried in the log."""
    parts = urlsplit(url)
    try:
        port = 443 if parts.port is None else parts.port
    except ValueError:
        port = -1
    if parts.scheme != "https" or not parts.hostname or port not in WEBHOOK_PORTS:
        raise ValueError(
            f"telegram.url {url!r}: Telegram calls only an https:// address on port 443, 80, "
            "88 or 8443, such as https://bot.example.org/telegram"
        )


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///uabot.db"


class BotSettings(_Section):
    admins: list[int] = Field(default_factory=list)
    default_language: Literal["en", "es"] = "en"
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from error
        return value


_CHANNEL_USERNAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


class ChannelTarget(_Section):
    """A public Telegram channel that also gets each published UA (the bot must be an
    administrator there, allowed to post)."""

    chat: int | str
    language: Literal["en", "es"] = "en"

    @field_validator("chat")
    @classmethod
    def _channel_address(cls, value: int | str) -> int | str:
        if isinstance(value, int):
            if value >= 0:
                raise ValueError(f"{value} is not a channel id; channel ids are negative")
            return value
        if not _CHANNEL_USERNAME.match(value):
            raise ValueError(f"{value!r} is not a channel: use '@username' or its negative id")
        return value


class BroadcastSettings(_Section):
    #: Every message the bot sends, replies first: Telegram's limit (about 30 a second).
    rate_per_second: float = Field(default=30, gt=0, le=1000)
    #: Telegram's paid broadcast (Bot API 7.11): announcements at up to 1,000 a second for
    #: 0.1 Star each, taken from the bot's balance. Off unless the operator turns it on;
    #: even then an admin chooses it per broadcast.
    allow_paid_broadcast: bool = False
    #: The paid budget, apart from the free one replies keep; 1,000 is Telegram's ceiling.
    paid_rate_per_second: float = Field(default=1000, ge=1, le=1000)
    lease_seconds: float = Field(default=120, ge=1, le=3600)
    #: Where a worker stopped while the database takes no writes keeps the outcomes it
    #: could not write, for the next start to write: those messages are not sent twice.
    outcomes_file: Path = Path("uabot-unwritten-outcomes.json")
    channels: list[ChannelTarget] = Field(default_factory=list)

    def channel_addresses(self) -> list[tuple[str, str]]:
        """(chat, language) of each channel, the chat as stored: '@name' or '-100…'."""
        return [(str(channel.chat), channel.language) for channel in self.channels]


class ReminderSettings(_Section):
    offsets: list[str] = Field(default_factory=lambda: ["3d", "1d"])
    window: str = "09:00-20:00"

    @field_validator("window")
    @classmethod
    def _valid_window(cls, value: str) -> str:
        parse_window(value)
        return value

    @field_validator("offsets")
    @classmethod
    def _valid_offsets(cls, values: list[str]) -> list[str]:
        for value in values:
            parse_offset(value)
        return values


class MetricsSettings(_Section):
    """Prometheus ``/metrics``: on a port of its own when ``listen`` is set; on the webhook
    server only when ``on_webhook`` asks for it, since that port faces the internet."""

    listen: Listen | None = None
    on_webhook: bool = False


class SecuritySettings(_Section):
    secret_key: str | None = None
    purge_grace_days: int = Field(default=30, ge=0)
    audit_retention_days: int = Field(default=365, ge=1)


class LoggingSettings(_Section):
    """Text for a terminal or journald; JSON (one object a line) for a log collector."""

    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(_Section):
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    broadcast: BroadcastSettings = Field(default_factory=BroadcastSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    def secrets(self) -> list[str]:
        """Every configured secret, for logs to mask: the token, the key, the webhook's
        secret and the database password."""
        password = make_url(self.database.url).password if "://" in self.database.url else None
        values = [
            self.telegram.token,
            self.telegram.secret_token,
            self.security.secret_key,
            password,
        ]
        return [str(value) for value in values if value]


def load_settings(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` (or defaults when None), overlay UABOT_* variables, validate."""
    raw: dict[str, Any] = {}
    text = ""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"cannot read the configuration file {path}: {error.strerror}"
            ) from None
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
    origins: dict[str, str] = {}
    for variable, dotted, value in _environment_settings(environ or {}):
        section, key = dotted.split(".", 1)
        section_values = raw.setdefault(section, {})
        if not isinstance(section_values, dict):
            raise ConfigError(f"{variable}: [{section}] in {path} is not a table")
        section_values[key] = value
        origins[dotted] = variable
    try:
        return Settings.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe(error, path, text, origins)) from None


def _environment_settings(environ: Mapping[str, str]) -> list[tuple[str, str, Any]]:
    """(variable, section.key, value) of every UABOT_* variable that names a setting, the
    older names first so that the general form wins. Other UABOT_* variables (UABOT_CONFIG,
    the test suite's) have no double underscore and are left alone."""
    found: list[tuple[str, str, Any]] = []
    sources: list[tuple[str, str, bool]] = []  # (variable, setting, from a file)
    for variable in sorted(environ, key=lambda name: "__" in name):
        name = variable.removeprefix("UABOT_")
        if name == variable or not environ[variable]:
            continue
        from_file = name.endswith("_FILE")
        name = name.removesuffix("_FILE") if from_file else name
        dotted = ENVIRONMENT_OVERRIDES.get(f"UABOT_{name}")
        if dotted is None and "__" in name:
            section, _, key = name.lower().partition("__")
            dotted = f"{section}.{key}"
        if dotted is None:
            if meant := _with_one_underscore(name):
                suffix = "_FILE" if from_file else ""
                raise ConfigError(
                    f"{variable}: a section and its key take two underscores between them: "
                    f"UABOT_{meant}{suffix}"
                )
            continue
        twin = next((other for other, d, f in sources if d == dotted and f != from_file), None)
        if twin is not None:
            raise ConfigError(
                f"{twin} and {variable} both set {dotted}: keep one, so that it is clear "
                "which value the bot uses"
            )
        sources.append((variable, dotted, from_file))
        value = _read_secret(variable, environ[variable]) if from_file else environ[variable]
        found.append((variable, dotted, _environment_value(variable, value)))
    return found


def _with_one_underscore(name: str) -> str | None:
    """``SECTION__KEY`` when ``name`` is a setting written with one underscore
    (TELEGRAM_MODE): ignored, it would leave the operator believing it was set."""
    for section, field in Settings.model_fields.items():
        key = name.lower().removeprefix(f"{section}_")
        if key != name.lower() and key in field.annotation.model_fields:  # type: ignore[union-attr]
            return f"{section.upper()}__{key.upper()}"
    return None


def _read_secret(variable: str, path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(f"{variable}: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{variable}: {path} is not a UTF-8 text file") from None


def _environment_value(variable: str, value: str) -> Any:
    """Lists and tables come as JSON; anything else is a string the setting's type reads
    ("30" as a number, "true" as yes)."""
    if not value.lstrip().startswith(("[", "{")):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{variable}: not valid JSON ({error.msg}): write a list as [1, 2]"
        ) from None


def _describe(
    error: ValidationError, path: Path | None, text: str, origins: Mapping[str, str]
) -> str:
    where = str(path) if path else "settings"
    lines = [f"{where}: invalid configuration"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        line = _line_of(text, problem["loc"])
        location = f" (line {line})" if line else ""
        dotted = ".".join(str(part) for part in problem["loc"][:2])
        if dotted in origins:
            location = f" (from {origins[dotted]})"
        elif len(problem["loc"]) == 1:  # a check across a section's keys: name every source
            variables = [v for d, v in origins.items() if d.startswith(f"{key}.")]
            sources = ([f"line {line}"] if line else []) + sorted(variables)
            location = f" ({', '.join(sources)})" if sources else ""
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = "unknown setting; check its spelling against config.example.toml"
        lines.append(f"  {key}{location}: {message}")
    return "\n".join(lines)


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Find the line of ``[section] key = ...`` in the TOML text, for error messages."""
    if not text or not loc:
        return None
    section = str(loc[0])
    key = str(loc[1]) if len(loc) > 1 else None
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[([^\]]+)\]", stripped)
        if header:
            current = header.group(1).strip()
            if key is None and current == section:
                return number
            continue
        if current == section and key and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return None
