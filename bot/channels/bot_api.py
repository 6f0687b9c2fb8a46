"""The Bot API calls made for every update, as JSON over aiogram's own HTTP session.

aiogram turns each request into a pydantic model and each answer into another: about
37 models built per update handled (a cProfile of ``uabot run`` under bench_updates), most
of them only to be turned back into a dict (updates) or read for one number (the id of a
sent message). Here getUpdates, sendMessage, editMessageText and answerCallbackQuery go out
as JSON through the same aiohttp session and Bot API server aiogram is configured with, and
the answers are read as dicts; rarer calls (menus, files, the webhook) still go through
aiogram. A refusal's status becomes the neutral ``SendError`` kind through
``bot.sending.refusal``, as aiogram's and PTB's exceptions do.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from aiogram.client.session.aiohttp import AiohttpSession

from bot.sending import Transient, Uncertain, refusal


class BotAPI:
    """Calls by name with JSON parameters; the ``result`` of the answer, or a SendError."""

    def __init__(self, session: AiohttpSession, token: str) -> None:
        self.session = session
        self.token = token

    async def call(self, method: str, params: dict[str, Any], wait: float = 0.0) -> Any:
        """``wait``: seconds Telegram may hold the answer back (a long poll's timeout), on
        top of the session's own timeout (aiogram's default: 60 s)."""
        client = await self.session.create_session()
        url = self.session.api.api_url(token=self.token, method=method)
        timeout = aiohttp.ClientTimeout(total=self.session.timeout + wait)
        try:
            async with client.post(url, json=params, timeout=timeout) as response:
                body = await response.read()
                status = response.status
        except TimeoutError:
            raise Uncertain("Request timeout error") from None  # it may have arrived
        except aiohttp.ClientError as error:  # its text may name the URL, with the token
            raise Transient(type(error).__name__) from None
        return read_answer(status, body)


def read_answer(status: int, body: bytes) -> Any:
    """The result of a Bot API answer, or the kind of refusal it is."""
    try:
        answer = json.loads(body)
    except ValueError:
        raise Transient("the Bot API answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise Transient("the Bot API answered something that is not an object")
    if answer.get("ok") is True:
        return answer.get("result")
    parameters = answer.get("parameters")
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    code = int(answer.get("error_code") or status)
    description = str(answer.get("description") or f"error {code}")
    wait = retry_after if isinstance(retry_after, int | float) else None
    raise refusal(code, description, wait)
