"""The yardstick for bench_updates: the least a bot of each library does for the same updates.

The bare bots answer with uabot's own replies, recorded by bench_updates from the uabot run
and handed over as a JSON file, so that both send the same texts and keyboards and the ratio
measures handling, not message size: ``/start`` gets uabot's welcome, ``/ua`` uabot's first
walkthrough step, and a press of its button is answered (the callback) and the message edited
into uabot's next step. Updates are handled concurrently, as each library allows, and
nothing is stored.

    python -m benchmarks.bare_bots aiogram|ptb API_BASE_URL REPLIES_JSON
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

TOKEN = "123456:TEST"
#: The label of the button the driver presses on a walkthrough step.
NEXT = "Next »"


def load_replies(path: str) -> dict[str, dict[str, Any]]:
    """``welcome``, ``step`` and ``next_step``: each a message's ``text`` and its
    ``reply_markup`` as the Bot API takes it."""
    replies: dict[str, dict[str, Any]] = json.loads(Path(path).read_text(encoding="utf-8"))
    return replies


def run_aiogram(base_url: str, replies: dict[str, dict[str, Any]]) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.filters import Command, CommandStart
    from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

    def markup(name: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup.model_validate(replies[name]["reply_markup"])

    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(replies["welcome"]["text"], reply_markup=markup("welcome"))

    @dispatcher.message(Command("ua"))
    async def step(message: Message) -> None:
        await message.answer(replies["step"]["text"], reply_markup=markup("step"))

    @dispatcher.callback_query()
    async def next_step(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await query.message.edit_text(  # type: ignore[union-attr]
                replies["next_step"]["text"], reply_markup=markup("next_step")
            )

    async def main() -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
        await dispatcher.start_polling(Bot(TOKEN, session=session), handle_signals=True)

    asyncio.run(main())


def run_ptb(base_url: str, replies: dict[str, dict[str, Any]]) -> None:
    from telegram import InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

    def markup(name: str) -> InlineKeyboardMarkup:
        keyboard = InlineKeyboardMarkup.de_json(replies[name]["reply_markup"], None)
        assert keyboard is not None
        return keyboard

    def answer_with(name: str) -> Any:
        async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text(
                replies[name]["text"], reply_markup=markup(name)
            )

        return answer

    async def next_step(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(
            replies["next_step"]["text"], reply_markup=markup("next_step")
        )

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(CommandHandler("start", answer_with("welcome")))
    application.add_handler(CommandHandler("ua", answer_with("step")))
    application.add_handler(CallbackQueryHandler(next_step))
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    library, url, replies_path = sys.argv[1], sys.argv[2], sys.argv[3]
    {"aiogram": run_aiogram, "ptb": run_ptb}[library](url, load_replies(replies_path))
