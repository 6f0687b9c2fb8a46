"""The yardstick for bench_updates: the least a bot of each library does for the same updates.

``/start`` is answered with a welcome and a button; a press of the button is answered (the
callback) and the message edited, as uabot answers a walkthrough step. Updates are handled
concurrently, as each library allows, and nothing is stored.

    python -m benchmarks.bare_bots aiogram|ptb API_BASE_URL
"""

from __future__ import annotations

import asyncio
import sys
from itertools import count

TOKEN = "123456:TEST"
WELCOME = "Welcome! Choose what to do next."
NEXT = "Next »"


def run_aiogram(base_url: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.filters import CommandStart
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

    presses = count(1)
    dispatcher = Dispatcher()

    def keyboard() -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(text=NEXT, callback_data=f"step:{next(presses)}")
        return InlineKeyboardMarkup(inline_keyboard=[[button]])

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(WELCOME, reply_markup=keyboard())

    @dispatcher.callback_query()
    async def step(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await query.message.edit_text(f"Step {query.data}", reply_markup=keyboard())  # type: ignore[union-attr]

    async def main() -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
        await dispatcher.start_polling(Bot(TOKEN, session=session), handle_signals=True)

    asyncio.run(main())


def run_ptb(base_url: str) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

    presses = count(1)

    def keyboard() -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(NEXT, callback_data=f"step:{next(presses)}")
        return InlineKeyboardMarkup([[button]])

    async def start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(WELCOME, reply_markup=keyboard())

    async def step(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Step {query.data}", reply_markup=keyboard())

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(step))
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    library, url = sys.argv[1], sys.argv[2]
    {"aiogram": run_aiogram, "ptb": run_ptb}[library](url)
