"""The send budget: Telegram's window kept as Telegram counts it, replies first."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from bot.pacer import Pacer

pytestmark = pytest.mark.timed  # each judges real seconds


async def test_no_second_holds_more_than_the_rate_however_long_answers_take() -> None:
    """Each send arrives somewhere between leaving and its answer; wherever that is, no
    second as Telegram counts it holds more than ``rate`` sends."""
    pacer, rate = Pacer(20, per_chat=0), 20
    departures: list[float] = []
    answers: list[float] = []
    randomness = random.Random(7)

    async def send(chat: int) -> None:
        async with pacer.turn(chat):
            departures.append(time.monotonic())
            await asyncio.sleep(randomness.uniform(0, 0.08))  # the answer's time varies
        answers.append(time.monotonic())

    await asyncio.gather(*(send(chat) for chat in range(3 * rate)))
    departures.sort()
    answers.sort()
    for earlier in range(len(departures) - rate):
        # The send ``rate`` places later leaves after the earlier one was answered + 1 s,
        # so even had the earlier one arrived as late as possible, they are a second apart.
        assert departures[earlier + rate] >= answers[earlier] + 1.0


async def test_a_reply_goes_before_waiting_broadcast_sends() -> None:
    pacer = Pacer(5, per_chat=0)
    order: list[str] = []

    async def send(name: str, reply: bool = False) -> None:
        async with pacer.turn(name, reply=reply):
            order.append(name)

    await asyncio.gather(*(send(f"broadcast {n}") for n in range(5)))  # the window is full
    waiting = [asyncio.create_task(send(f"later {n}")) for n in range(3)]
    await asyncio.sleep(0)  # the broadcast sends are waiting for the window
    await send("reply", reply=True)
    await asyncio.gather(*waiting)
    assert order[5] == "reply"


async def test_a_reply_waiting_for_its_chat_holds_nobody_back() -> None:
    """A reply must keep 1 s from the broadcast's message in its chat; meanwhile the
    broadcast goes on to other chats."""
    pacer = Pacer(100, per_chat=1.0)
    sent: list[str] = []

    async def send(chat: str, reply: bool = False) -> None:
        async with pacer.turn(chat, reply=reply):
            sent.append(chat)

    await send("reader")
    reply = asyncio.create_task(send("reader", reply=True))
    await asyncio.gather(*(send(f"other {n}") for n in range(20)))
    assert not reply.done(), "the reply keeps its distance from the broadcast's message"
    await reply
    assert sent[-1] == "reader"


async def test_a_cancelled_reply_releases_the_broadcast() -> None:
    pacer = Pacer(2, per_chat=0)
    async with pacer.turn("a"), pacer.turn("b"):
        pass  # the window of 2 is now taken for a second
    reply = asyncio.create_task(pacer.turn("c", reply=True).__aenter__())
    broadcast = asyncio.create_task(pacer.turn("d").__aenter__())
    await asyncio.sleep(0.05)
    reply.cancel()  # the person's update was cancelled at shutdown
    await asyncio.wait_for(broadcast, 5)


async def test_a_429_pauses_every_send() -> None:
    pacer = Pacer(1000, per_chat=0)
    pacer.pause(0.3)
    started = time.monotonic()
    async with pacer.turn("a", reply=True):
        pass
    assert time.monotonic() - started >= 0.29
