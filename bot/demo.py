"""``uabot demo``: the whole bot offline, in the terminal, on a throwaway database and key.

The same core as on Telegram, with the terminal as the sender: the outbox worker and the
reminder scheduler run too, so a UA published in the demo arrives in it. Nothing is kept:
the database and any files live in a temporary folder removed at /quit or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.app import App, build_app
from bot.channels.terminal import ADMIN, TerminalChannel, TerminalSender
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.runner import run_background
from storage.crypto import generate_secret_key
from storage.statuses import UpdateStatus
from storage.uas import publish_update, save_draft
from uareader.document import parse_document

SAMPLES_DIR = Path(__file__).parent / "samples"


async def load_sample_uas(app: App) -> None:
    """Import and publish the fictional sample UA, its deadline kept 30 days ahead."""
    today = app.today()
    async with app.sessions() as session, session.begin():
        update = None
        for path in sorted(SAMPLES_DIR.glob("sample-ua-*.txt")):
            draft = parse_document(path.name, path.read_bytes())
            draft.deadline = max(draft.deadline or today, today + timedelta(days=30))
            update = await save_draft(session, draft, draft.language)
        if update is not None and update.status == UpdateStatus.DRAFT:
            await publish_update(session, update, app.clock.now())


async def run_demo(stdin: TextIO, stdout: TextIO, language: str | None = None) -> int:
    """Chat until /quit or the end of input; person 1, at the keyboard, is the admin."""
    with tempfile.TemporaryDirectory(prefix="uabot-demo-") as folder:
        settings = Settings.model_validate(
            {
                "database": {"url": f"sqlite+aiosqlite:///{folder}/demo.db"},
                "bot": {"admins": [ADMIN], "default_language": language or "en"},
            }
        )
        app = await build_app(settings, secret_key=generate_secret_key())
        stop = asyncio.Event()
        background: asyncio.Task[None] | None = None
        try:
            await load_sample_uas(app)
            channel = TerminalChannel(
                Dispatcher(app),
                stdin,
                stdout,
                files_dir=Path(folder) / "files",
                tr=app.catalogs.get(language),
                language_hint=language,
                samples=sorted(SAMPLES_DIR.glob("new-ua-*.txt")),
            )
            background = asyncio.create_task(run_background(app, TerminalSender(channel), stop))
            await channel.run()
        finally:
            stop.set()
            if background is not None:
                await background
            await app.close()
    return 0
