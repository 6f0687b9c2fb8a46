"""A fake Telegram Bot API server on loopback, for end-to-end tests and benchmarks.

Both Telegram libraries are pointed at it through ``telegram.api_base_url`` and talk to it
over real HTTP. It keeps the chats and the messages the bot sent, serves ``getUpdates`` (long
polling) and delivers to a webhook, and can be told to misbehave: answer 429 with
``retry_after``, 403 for a user who blocked the bot, 5xx, stall, or enforce Telegram-like
rate limits (about 30 messages/s overall, 1/s per chat).

Why our own: the packages that exist (telemelya, telemulator3) are small, tied to one
library or to BDD scaffolding, and offer no fault injection or rate limits; this is a few
hundred lines over aiohttp that we fully control (``tests/fake_telegram.py`` holds what it
keeps and injects).

Run it alone (for benchmarks in a separate process): ``python -m tests.fake_bot_api --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fake_telegram import Chaos, Fault, SentMessage, chat_key

#: What one paid broadcast message costs: 0.1 Star, in the nanostars the Bot API counts in.
PAID_MESSAGE_NANOSTARS = 100_000_000
NANOSTARS_PER_STAR = 1_000_000_000

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "UA bot", "username": "uabot_test_bot"}


@dataclass
class FakeBotAPI:
    """The server's state; start it with ``await api.start()``."""

    token: str = "123456:TEST"
    host: str = "127.0.0.1"
    port: int = 0
    messages: dict[int | str, list[SentMessage]] = field(default_factory=lambda: defaultdict(list))
    calls: list[str] = field(default_factory=list)
    #: Command names per "scope type:chat id:language", and their descriptions.
    commands: dict[str, Any] = field(default_factory=dict)
    command_texts: dict[str, list[str]] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int | str] = field(default_factory=set)
    webhook: dict[str, Any] = field(default_factory=dict)
    rate_global: float | None = None
    rate_per_chat: float | None = None
    #: Paid broadcast's own ceiling (Bot API 7.11), enforced with the other limits.
    rate_paid: float = 1000
    too_many_requests: int = 0
    #: The bot's Star balance in nanostars; a paid message it cannot pay for is refused.
    nanostars: int = 0
    #: Paid messages Telegram took Stars for.
    paid_messages: int = 0
    #: When set, the file server answers every download with this status.
    file_server_status: int | None = None
    #: Seconds after a button press within which Telegram takes its answer (about 15 in
    #: practice); None: no limit, as most tests need.
    callback_answer_window: float | None = None
    #: Seconds after which a message can no longer be edited (48 hours for some messages in
    #: practice); None: no limit.
    edit_window: float | None = None
    #: The bot's description and short description, by kind and language ("" for any).
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    #: The update kinds the bot last asked for (getUpdates or setWebhook); None: not asked.
    allowed_updates: list[str] | None = None

    def __post_init__(self) -> None:
        self._pressed_at: dict[str, float] = {}
        self._updates: deque[dict[str, Any]] = deque()
        # Far from the ids the in-process Chat helper uses, as two sources of one database.
        self._update_ids = itertools.count(500_000_001)
        self._message_ids = itertools.count(1)
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        #: Calls being answered at once now, and the most there have been.
        self._answering = 0
        self.most_answering = 0
        self._chaos: dict[str, Chaos] = {}
        self._new_update = asyncio.Event()
        self._files: dict[str, tuple[str, bytes]] = {}
        self._sent_times: deque[float] = deque()
        self._paid_times: deque[float] = deque()
        self._chat_times: dict[int | str, float] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._changed = asyncio.Condition()
        self._client: aiohttp.ClientSession | None = None
        self.delivered: list[dict[str, Any]] = []
        self._balanced: Iterator[str] | None = None

    # --- lifecycle ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # wake long polls so the server shuts down at once
        if self._client:
            await self._client.close()
        if self._runner:
            await self._runner.cleanup()

    # --- what tests tell it ---------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        description: str = "",
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        for _ in range(times):
            self._faults[method].append(
                Fault(status, description or f"error {status}", retry_after)
            )

    def forget_faults(self) -> None:
        """Drop the faults not injected yet (one test's leftovers must not hit the next)."""
        self._faults.clear()

    def odd_result_next(self, method: str, result: object, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``method``, answering each with an ok
        whose result is ``result`` instead of the message."""
        for _ in range(times):
            self._faults[method].append(Fault(200, "", odd_result=result))

    def stall_next(self, method: str, seconds: float, times: int = 1) -> None:
        for _ in range(times):
            self._faults[method].append(Fault(200, "", stall=seconds))

    def chaos(
        self,
        method: str,
        *,
        share: float,
        stall: float,
        seed: int,
        burst_every: int = 0,
        burst_length: int = 0,
    ) -> None:
        """From now on ``share`` of the calls to ``method`` fail at random, half with a 502
        and half stalled for ``stall`` seconds (then carried out: the client timed out, but
        the message arrived); and every ``burst_every`` calls, ``burst_length`` answer 429."""
        self._chaos[method] = Chaos(share, stall, random.Random(seed), burst_every, burst_length)

    def chaos_injected(self, method: str) -> Counter[str]:
        """How many of each fault chaos has injected into ``method`` so far."""
        return self._chaos[method].injected

    def enforce_limits(self, per_second: float = 30, per_chat: float = 1) -> None:
        self.rate_global, self.rate_per_chat = per_second, per_chat

    def _user(self, user_id: int, language: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language:
            user["language_code"] = language
        return user

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if isinstance(chat_id, str):
            return {"id": -1009999, "type": "channel", "title": "A channel", "username": chat_id}
        if chat_id < -1_000_000_000_000:
            return {"id": chat_id, "type": "channel", "title": "A channel"}
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "A group"}
        return {"id": chat_id, "type": "private", "first_name": "Test"}

    async def _push(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        if self.webhook.get("url"):
            await self.deliver(update)
        else:
            self._updates.append(update)
            self._new_update.set()
        return update

    async def user_sends(
        self, user_id: int, text: str, language: str | None = "en", chat_id: int | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id or user_id),
            "from": self._user(user_id, language),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._push({"message": message})

    async def user_blocks(self, user_id: int, blocked: bool = True) -> dict[str, Any]:
        """A person blocks the bot (or unblocks it): from now on sending to them is refused
        with 403, and the bot hears of it through a ``my_chat_member`` update."""
        if blocked:
            self.blocked.add(user_id)
        else:
            self.blocked.discard(user_id)
        old, new = ("member", "kicked") if blocked else ("kicked", "member")

        def member(status: str) -> dict[str, Any]:
            banned = {"until_date": 0} if status == "kicked" else {}  # 0: for ever
            return {"user": BOT_USER, "status": status, **banned}

        return await self._push(
            {
                "my_chat_member": {
                    "chat": self._chat(user_id),
                    "from": self._user(user_id, "en"),
                    "date": int(time.time()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    async def user_presses(
        self, user_id: int, message: SentMessage, label: str, language: str | None = "en"
    ) -> dict[str, Any]:
        buttons = [b for b in message.buttons() if label in b["text"]]
        assert buttons, f"no button {label!r} in {[b['text'] for b in message.buttons()]}"
        query_id = str(next(self._message_ids))
        self._pressed_at[query_id] = time.monotonic()
        return await self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, language),
                    "chat_instance": str(user_id),
                    "data": buttons[0]["callback_data"],
                    "message": {
                        "message_id": message.message_id,
                        "date": int(time.time()),
                        "chat": self._chat(message.chat_id),
                        "from": BOT_USER,
                        "text": message.text or "",
                    },
                }
            }
        )

    async def user_uploads(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        language: str | None = "en",
        declared_size: int | None = None,
    ) -> dict[str, Any]:
        """A person sends a file; ``declared_size`` is what Telegram says it weighs (a test
        can announce a 19 MB file without making one)."""
        file_id = f"file{len(self._files) + 1}"
        self._files[file_id] = (f"documents/{filename}", content)
        return await self._push(
            {
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat(user_id),
                    "from": self._user(user_id, language),
                    "document": {
                        "file_id": file_id,
                        "file_unique_id": file_id,
                        "file_name": filename,
                        "file_size": declared_size or len(content),
                    },
                }
            }
        )

    def balance_between(self, urls: list[str]) -> None:
        """Deliver updates to ``urls`` in turn, as a load balancer in front of several
        webhook processes would, whichever URL the bot last set."""
        self._balanced = itertools.cycle(urls)

    async def deliver(self, update: dict[str, Any], secret: str | None = None) -> int:
        """POST an update to the registered webhook, as Telegram does; returns the status."""
        if self._client is None:
            self._client = aiohttp.ClientSession()
        token = secret if secret is not None else self.webhook.get("secret_token", "")
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        url = next(self._balanced) if self._balanced else self.webhook["url"]
        async with self._client.post(url, json=update, headers=headers) as answer:
            self.delivered.append(update)
            return answer.status

    # --- reading what the bot did ---------------------------------------------------------
    def last(self, chat_id: int) -> SentMessage:
        return self.messages[chat_id][-1]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10) -> bool:
        """Whether ``condition`` became true, checked each time the fake state changes."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout)
            except TimeoutError:
                return False
        return True

    async def wait_for(self, chat_id: int, count: int, timeout: float = 10) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages in a chat (edits included)."""
        if not await self.wait_until(lambda: len(self.messages[chat_id]) >= count, timeout):
            texts = [m.text for m in self.messages[chat_id]]
            raise AssertionError(f"chat {chat_id}: {len(texts)} messages, want {count}: {texts}")
        return self.messages[chat_id]

    def total_sent(self) -> int:
        return sum(len(messages) for messages in self.messages.values())

    async def wait_total(self, count: int, timeout: float = 10) -> None:
        """Wait until the bot has sent ``count`` messages in all (broadcast tests)."""
        assert await self.wait_until(lambda: self.total_sent() >= count, timeout)

    async def wait_callback_answers(self, callback_id: str, count: int) -> None:
        """Wait until a button press has been answered ``count`` times (a redelivery too)."""

        def answered() -> int:
            return sum(1 for a in self.callback_answers if a["callback_query_id"] == callback_id)

        assert await self.wait_until(lambda: answered() >= count, 10), "press not answered"

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- the API --------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = (value.filename, value.file.read())
                else:
                    params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value.removeprefix("attach://"))
        for key in ("reply_markup", "commands", "scope", "allowed_updates"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def give_stars(self, stars: float) -> None:
        self.nanostars += round(stars * NANOSTARS_PER_STAR)

    def _rate_limited(self, chat_id: int | str | None, paid: bool = False) -> int | None:
        """Seconds to wait when a send now breaks a limit: paid broadcast messages count
        against their own ceiling, the rest against the free one (Bot API 7.11)."""
        now = time.monotonic()
        if self.rate_global:
            times, ceiling = (
                (self._paid_times, self.rate_paid) if paid else (self._sent_times, self.rate_global)
            )
            while times and now - times[0] > 1:
                times.popleft()
            if len(times) >= ceiling:
                return 1
        if self.rate_per_chat and chat_id is not None:
            last = self._chat_times.get(chat_id)
            if last is not None and now - last < 1 / self.rate_per_chat:
                return 1
        (self._paid_times if paid else self._sent_times).append(now)
        if chat_id is not None:
            self._chat_times[chat_id] = now
        return None

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    async def _api(self, request: web.Request) -> web.Response:
        self._answering += 1
        self.most_answering = max(self.most_answering, self._answering)
        try:
            return await self._answer(request)
        finally:
            self._answering -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        self.calls.append(method)
        params = await self._params(request)
        chaos = self._chaos.get(method)
        if chaos is not None and not self._faults.get(method):
            self._faults[method].extend(chaos.draw())
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            if fault.odd_result is not None:
                handler = getattr(self, f"_m_{method}")
                await handler(params)
                return self._ok(fault.odd_result)
            if fault.stall:
                await asyncio.sleep(fault.stall)
            else:
                return self._error(fault.status, fault.description, fault.retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, f"Not Found: method {method} is not in the fake")
        return await handler(params)

    async def _m_getMe(self, _params: dict[str, Any]) -> web.Response:
        return self._ok(BOT_USER)

    async def _m_getUpdates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"])
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        if not self._updates and not self._closing:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), float(params.get("timeout") or 0))
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        wanted = [update for update in self._updates if self._wanted(update)]
        return self._ok(wanted[: int(params.get("limit") or 100)])

    def _wanted(self, update: dict[str, Any]) -> bool:
        """Whether Telegram would deliver ``update`` given the bot's allowed_updates (by
        default every kind but a few the bot did not ask for)."""
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in {"chat_member", "message_reaction", "message_reaction_count"}

    async def _m_setWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token", "")}
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"])
        return self._ok(True)

    async def _m_deleteWebhook(self, _params: dict[str, Any]) -> web.Response:
        self.webhook = {}
        return self._ok(True)

    async def _m_getWebhookInfo(self, _params: dict[str, Any]) -> web.Response:
        return self._ok({"url": self.webhook.get("url", ""), "pending_update_count": 0})

    async def _m_setMyCommands(self, params: dict[str, Any]) -> web.Response:
        scope = params.get("scope") or {"type": "default"}
        key = f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"
        self.commands[key] = [c["command"] for c in params["commands"]]
        self.command_texts[key] = [c["description"] for c in params["commands"]]
        await self._notify()
        return self._ok(True)

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> web.Response:
        scope = params.get("scope") or {"type": "default"}
        key = f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"
        self.commands.pop(key, None)
        await self._notify()
        return self._ok(True)

    async def _m_setMyDescription(self, params: dict[str, Any]) -> web.Response:
        return self._describe("description", params)

    async def _m_setMyShortDescription(self, params: dict[str, Any]) -> web.Response:
        return self._describe("short_description", params)

    def _describe(self, kind: str, params: dict[str, Any]) -> web.Response:
        text = str(params.get(kind) or "")
        if len(text) > (512 if kind == "description" else 120):
            return self._error(400, f"Bad Request: {kind} is too long")
        self.descriptions[(kind, str(params.get("language_code") or ""))] = text
        return self._ok(True)

    def _message(
        self, chat_id: int | str, text: str | None, reply_markup: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The Message Telegram answers a send or an edit with: its keyboard included."""
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": BOT_USER,
            **({"text": text} if text is not None else {}),
            **({"reply_markup": reply_markup} if reply_markup else {}),
        }

    def _refuse(self, chat_id: int | str, paid: bool = False) -> web.Response | None:
        if chat_id in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        if paid and self.nanostars < PAID_MESSAGE_NANOSTARS:
            # Telegram's servers name this BALANCE_TOO_LOW; the Bot API passes it on.
            return self._error(400, "Bad Request: BALANCE_TOO_LOW")
        retry = self._rate_limited(chat_id, paid)
        if retry is not None:
            self.too_many_requests += 1
            return self._error(429, f"Too Many Requests: retry after {retry}", retry)
        return None

    async def _m_sendMessage(self, params: dict[str, Any]) -> web.Response:
        chat_id = chat_key(params["chat_id"])
        paid = str(params.get("allow_paid_broadcast")).lower() == "true"
        if (refusal := self._refuse(chat_id, paid)) is not None:
            return refusal
        text = str(params["text"])
        if len(text) > 4096:
            return self._error(400, "Bad Request: message is too long")
        if paid:
            self.nanostars -= PAID_MESSAGE_NANOSTARS
            self.paid_messages += 1
        message = self._message(chat_id, text, params.get("reply_markup"))
        self.messages[chat_id].append(
            SentMessage(
                message["message_id"],
                chat_id,
                text,
                params.get("reply_markup"),
                disable_notification=str(params.get("disable_notification")).lower() == "true",
                paid=paid,
                sent_at=time.monotonic(),
            )
        )
        await self._notify()
        return self._ok(message)

    async def _m_getMyStarBalance(self, _params: dict[str, Any]) -> web.Response:
        stars, nanos = divmod(self.nanostars, NANOSTARS_PER_STAR)
        return self._ok({"amount": stars, "nanostar_amount": nanos})

    async def _m_editMessageText(self, params: dict[str, Any]) -> web.Response:
        chat_id, message_id = chat_key(params["chat_id"]), int(params["message_id"])
        if (refusal := self._refuse(chat_id)) is not None:
            return refusal
        for sent in self.messages[chat_id]:
            if sent.message_id == message_id:
                too_old = self.edit_window is not None and (
                    time.monotonic() - sent.sent_at > self.edit_window
                )
                if too_old:
                    return self._error(400, "Bad Request: message can't be edited")
                if (sent.text, sent.reply_markup) == (params["text"], params.get("reply_markup")):
                    return self._error(
                        400,
                        "Bad Request: message is not modified: specified new message content "
                        "and reply markup are exactly the same as a current content and reply "
                        "markup of the message",
                    )
                sent.text, sent.reply_markup = params["text"], params.get("reply_markup")
                sent.edits += 1
                # An edit shows in the chat as the newest state: tests read it as a message.
                self.messages[chat_id].append(sent)
                await self._notify()
                edited = self._message(chat_id, sent.text, sent.reply_markup)
                return self._ok({**edited, "message_id": message_id})
        return self._error(400, "Bad Request: message to edit not found")

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> web.Response:
        pressed = self._pressed_at.get(str(params.get("callback_query_id")))
        window = self.callback_answer_window
        if window is not None and pressed is not None and time.monotonic() - pressed > window:
            return self._error(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callback_answers.append(params)
        await self._notify()
        return self._ok(True)

    async def _m_sendDocument(self, params: dict[str, Any]) -> web.Response:
        chat_id = chat_key(params["chat_id"])
        if (refusal := self._refuse(chat_id)) is not None:
            return refusal
        name, content = params["document"]
        message = self._message(chat_id, None)
        self.messages[chat_id].append(
            SentMessage(
                message["message_id"],
                chat_id,
                params.get("caption"),
                params.get("reply_markup"),
                document_name=name,
                document=content,
            )
        )
        await self._notify()
        return self._ok(
            {**message, "document": {"file_id": "x", "file_unique_id": "x", "file_name": name}}
        )

    async def _m_getFile(self, params: dict[str, Any]) -> web.Response:
        file_id = params["file_id"]
        if file_id not in self._files:
            return self._error(400, "Bad Request: invalid file_id")
        path, content = self._files[file_id]
        if len(content) > 20 * 1024 * 1024:  # bots may download files up to 20 MB
            return self._error(400, "Bad Request: file is too big")
        return self._ok(
            {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(content),
                "file_path": path,
            }
        )

    async def _file(self, request: web.Request) -> web.Response:
        if self.file_server_status is not None:  # the file server failing on its own
            return web.Response(status=self.file_server_status, text="file server error")
        path = request.match_info["path"]
        for stored_path, content in self._files.values():
            if stored_path == path:
                return web.Response(body=content)
        return web.Response(status=404)


async def _serve(port: int, per_second: float | None, per_chat: float | None, stars: float) -> None:
    api = FakeBotAPI(port=port)
    api.give_stars(stars)
    if per_second:
        api.enforce_limits(per_second, per_chat or 1)
    await api.start()
    print(f"fake Bot API on {api.base_url}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--limit", type=float, default=None, help="messages per second overall")
    parser.add_argument("--per-chat", type=float, default=None)
    parser.add_argument("--stars", type=float, default=0, help="the bot's Star balance")
    arguments = parser.parse_args()
    asyncio.run(_serve(arguments.port, arguments.limit, arguments.per_chat, arguments.stars))
