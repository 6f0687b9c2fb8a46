"""Settings: defaults, environment overrides, and errors that say what and where."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from handlers.reminder_times import parse_offset


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    settings = load_settings(None, environ={})
    assert settings.telegram.library == "aiogram"
    assert settings.telegram.api_base_url == "https://api.telegram.org"
    assert settings.database.url == "sqlite+aiosqlite:///uabot.db"
    assert settings.broadcast.rate_per_second == 30
    assert settings.reminders.offsets == ["3d", "1d"]
    assert settings.telegram.token is None


def test_the_example_config_names_every_setting() -> None:
    """The docs send operators to config.example.toml for every key."""
    text = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text("utf-8")
    sections = dict(re.findall(r"^\[(\w+)\]\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL))
    missing = [
        f"{name}.{key}"
        for name, field in Settings.model_fields.items()
        for key in field.annotation.model_fields  # type: ignore[union-attr]
        if not re.search(rf"^(# )?{key} = ", sections.get(name, ""), re.MULTILINE)
    ]
    assert not missing, f"settings config.example.toml does not show: {missing}"


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    settings = load_settings(example, environ={})
    assert settings.bot.default_language in ("en", "es")


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[telegram]\ntoken = "1:from-file"\n[database]\nurl = "sqlite+aiosqlite:///a.db"\n',
    )
    settings = load_settings(
        path,
        environ={"UABOT_TELEGRAM_TOKEN": "2:from-env", "UABOT_SECRET_KEY": "k", "OTHER": "x"},
    )
    assert settings.telegram.token == "2:from-env"
    assert settings.security.secret_key == "k"
    assert settings.database.url == "sqlite+aiosqlite:///a.db"


def test_wrong_type_names_the_key_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[bot]\ndefault_language = "en"\n\n[broadcast]\nrate_per_second = "fast"\n'
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    message = str(error.value)
    assert "broadcast.rate_per_second (line 5)" in message
    assert "number" in message
    assert str(path) in message


@pytest.mark.parametrize("rate", ["1001", "0", "0.5"])
def test_a_paid_rate_past_telegram_s_ceiling_or_below_one_is_refused_by_name(
    tmp_path: Path, rate: str
) -> None:
    path = write(
        tmp_path, f"[broadcast]\nallow_paid_broadcast = true\npaid_rate_per_second = {rate}\n"
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    message = str(error.value)
    assert "broadcast.paid_rate_per_second (line 3)" in message
    assert ("1000" in message) if rate == "1001" else ("1" in message)


def test_paid_broadcast_is_off_unless_turned_on(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[broadcast]\n"), environ={})
    assert settings.broadcast.allow_paid_broadcast is False
    assert settings.broadcast.paid_rate_per_second == 1000


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[telegram]\ntokn = 'x'\n")
    with pytest.raises(ConfigError, match=r"telegram.tokn \(line 2\): unknown setting"):
        load_settings(path, environ={})


def test_wrong_choice_lists_what_is_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "[telegram]\nlibrary = 'telethon'\n")
    with pytest.raises(ConfigError, match="'aiogram' or 'ptb'"):
        load_settings(path, environ={})


def test_invalid_toml_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, "[bot]\ntimezone = UTC\n")
    with pytest.raises(ConfigError, match=r"not valid TOML.*line"):
        load_settings(path, environ={})


def test_unknown_timezone_and_bad_offset(tmp_path: Path) -> None:
    path = write(tmp_path, "[bot]\ntimezone = 'Mars/Olympus'\n[reminders]\noffsets = ['3 days']\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert "bot.timezone (line 2)" in str(error.value)
    assert "reminders.offsets (line 4)" in str(error.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_offsets() -> None:
    assert parse_offset("3d") == timedelta(days=3)
    assert parse_offset("12h") == timedelta(hours=12)
    assert parse_offset("30m") == timedelta(minutes=30)
    with pytest.raises(ValueError):
        parse_offset("soon")


def test_channels_to_post_to_are_read_with_their_language(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[broadcast]\nchannels = [\n"
        '  { chat = "@urgent_actions_es", language = "es" },\n'
        "  { chat = -1001234567890 },\n]\n",
    )
    settings = load_settings(path, environ={})
    assert settings.broadcast.channel_addresses() == [
        ("@urgent_actions_es", "es"),
        ("-1001234567890", "en"),
    ]


@pytest.mark.parametrize(
    ("chat", "problem"),
    [
        ('"urgent_actions"', "is not a channel: use '@username' or its negative id"),
        ("12345", "12345 is not a channel id; channel ids are negative"),
    ],
)
def test_a_channel_that_is_not_one_is_refused_with_how_to_write_it(
    tmp_path: Path, chat: str, problem: str
) -> None:
    path = write(tmp_path, f"[broadcast]\nchannels = [{{ chat = {chat} }}]\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert problem in str(error.value)
    assert "broadcast.channels" in str(error.value)


def test_a_metrics_address_without_a_port_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[metrics]\nlisten = "9108"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert "metrics.listen (line 2)" in str(error.value)
    assert "like '127.0.0.1:9108'" in str(error.value)


def test_every_setting_can_come_from_the_environment_and_secrets_from_files(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "token"
    secret.write_text("123:FROM-A-FILE\n", encoding="utf-8")
    path = write(tmp_path, '[bot]\nadmins = [1]\n[telegram]\ntoken = "123:FROM-THE-FILE"\n')
    settings = load_settings(
        path,
        environ={
            "UABOT_BOT__ADMINS": "[7, 8]",
            "UABOT_BROADCAST__RATE_PER_SECOND": "12.5",
            "UABOT_METRICS__ON_WEBHOOK": "true",
            "UABOT_LOGGING__FORMAT": "json",
            "UABOT_TELEGRAM__TOKEN_FILE": str(secret),
            "UABOT_SECRET_KEY": "older-name",
            "UABOT_SECURITY__SECRET_KEY": "general-name",  # the general form wins
            "UABOT_BROADCAST__CHANNELS": '[{"chat": "@example_channel", "language": "es"}]',
            "UABOT_CONFIG": "ignored here",
            "UABOT_TEST_POSTGRES_URL": "ignored too",
        },
    )
    assert settings.bot.admins == [7, 8]
    assert settings.broadcast.rate_per_second == 12.5
    assert settings.metrics.on_webhook is True
    assert settings.logging.format == "json"
    assert settings.telegram.token == "123:FROM-A-FILE"
    assert settings.security.secret_key == "general-name"
    assert settings.broadcast.channel_addresses() == [("@example_channel", "es")]
    older = load_settings(None, environ={"UABOT_SECRET_KEY_FILE": str(secret)})
    assert older.security.secret_key == "123:FROM-A-FILE"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"UABOT_BOT__COLOUR": "red"}, "bot.colour (from UABOT_BOT__COLOUR): unknown setting"),
        ({"UABOT_BOT__ADMINS": "[1,"}, "UABOT_BOT__ADMINS: not valid JSON"),
        ({"UABOT_BOT__ADMINS": '["x"]'}, "bot.admins.0 (from UABOT_BOT__ADMINS)"),
        ({"UABOT_SECURITY__SECRET_KEY_FILE": "/no/such/file"}, "cannot read /no/such/file"),
    ],
)
def test_a_wrong_environment_variable_is_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(None, environ=environ)


@pytest.mark.parametrize(
    "url",
    [
        "http://bot.example.org/telegram",
        "https://bot.example.org:8080/telegram",
        "bot.example.org/telegram",
        "https:///telegram",
        "https://bot.example.org:0/telegram",
    ],
)
def test_a_webhook_address_telegram_would_not_call_is_refused(url: str) -> None:
    environ = {
        "UABOT_TELEGRAM__MODE": "webhook",
        "UABOT_TELEGRAM__URL": url,
        "UABOT_TELEGRAM__SECRET_TOKEN": "s3cret",
        "UABOT_TELEGRAM__API_BASE_URL": "https://api.telegram.org/",  # a slash changes nothing
    }
    with pytest.raises(ConfigError, match="Telegram calls only an https:// address on port 443"):
        load_settings(None, environ=environ)


@pytest.mark.parametrize(
    ("url", "api_base_url"),
    [
        ("https://bot.example.org/telegram", "https://api.telegram.org"),
        ("https://bot.example.org:8443/telegram", "https://api.telegram.org"),
        ("http://127.0.0.1:8081/telegram", "http://127.0.0.1:8082"),  # a local Bot API server
    ],
)
def test_a_webhook_address_telegram_calls_is_taken(url: str, api_base_url: str) -> None:
    environ = {
        "UABOT_TELEGRAM__MODE": "webhook",
        "UABOT_TELEGRAM__URL": url,
        "UABOT_TELEGRAM__SECRET_TOKEN": "s3cret",
        "UABOT_TELEGRAM__API_BASE_URL": api_base_url,
    }
    assert load_settings(None, environ=environ).telegram.url == url


def test_a_check_across_a_section_names_the_file_line_and_the_variables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[bot]\nadmins = []\n\n[telegram]\nlibrary = "ptb"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={"UABOT_TELEGRAM__MODE": "webhook"})
    assert "telegram (line 4, UABOT_TELEGRAM__MODE): Value error, webhook mode needs" in str(
        refused.value
    )


def test_a_secret_file_that_is_not_text_is_named(tmp_path: Path) -> None:
    binary = tmp_path / "key.bin"
    binary.write_bytes(b"\xff\xfe\x00key")
    with pytest.raises(ConfigError, match=re.escape(f"SECRET_KEY_FILE: {binary} is not")):
        load_settings(None, environ={"UABOT_SECURITY__SECRET_KEY_FILE": str(binary)})


def test_a_setting_given_both_plainly_and_by_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("123:FROM-A-FILE", encoding="utf-8")
    plain, from_file = "UABOT_TELEGRAM__TOKEN", "UABOT_TELEGRAM__TOKEN_FILE"
    older_plain, older_file = "UABOT_TELEGRAM_TOKEN", "UABOT_TELEGRAM_TOKEN_FILE"
    for pair in ((plain, from_file), (older_plain, from_file), (plain, older_file)):
        environ = {pair[0]: "123:PLAIN", pair[1]: str(secret)}
        with pytest.raises(ConfigError, match=r"both set telegram\.token: keep one") as refused:
            load_settings(None, environ=environ)
        assert "PLAIN" not in str(refused.value) and "FROM-A-FILE" not in str(refused.value)


@pytest.mark.parametrize("token", ["abc", "123456:ABC-def_1 ", "bot123456:ABC", "123456:"])
def test_a_malformed_token_is_refused_by_name_before_the_bot_starts(token: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(None, environ={"UABOT_TELEGRAM__TOKEN": token})
    assert "telegram.token" in str(refused.value) and "@BotFather" in str(refused.value)
    assert token.strip() not in str(refused.value)  # a token is a secret, even a wrong one


def test_a_well_formed_or_empty_token_is_taken() -> None:
    token = "123456789:AAE-x_Yz"
    assert load_settings(None, environ={"UABOT_TELEGRAM__TOKEN": token}).telegram.token == token
    assert load_settings(None, environ={"UABOT_TELEGRAM__TOKEN": ""}).telegram.token is None


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("UABOT_TELEGRAM_MODE", "UABOT_TELEGRAM__MODE"),
        ("UABOT_LOGGING_FORMAT", "UABOT_LOGGING__FORMAT"),
        ("UABOT_SECURITY_SECRET_KEY_FILE", "UABOT_SECURITY__SECRET_KEY_FILE"),
    ],
)
def test_a_setting_written_with_one_underscore_is_named_not_ignored(
    variable: str, meant: str
) -> None:
    with pytest.raises(ConfigError, match=f"{variable}: .* two underscores .*: {meant}$"):
        load_settings(None, environ={variable: "x"})


def test_other_uabot_variables_are_left_alone() -> None:
    environ = {"UABOT_CONFIG": "x", "UABOT_BROADCAST_EXAMPLES": "5", "UABOT_NEW_SECRET_KEY": "k"}
    assert load_settings(None, environ=environ).telegram.mode == "polling"
