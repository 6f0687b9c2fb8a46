"""The webhook server on its own: a stranger's flood costs bounded memory."""

from __future__ import annotations

import asyncio

import aiohttp

from bot.channels.webhook import SECRET_HEADER, WebhookServer


async def _posted(client: aiohttp.ClientSession, url: str, update_id: int) -> int:
    async with client.post(url, json={"update_id": update_id}) as answer:
        return answer.status


async def test_updates_beyond_the_cap_wait_for_a_slot_instead_of_a_503() -> None:
    release = asyncio.Event()
    handled: list[int] = []

    async def feed(update: dict) -> None:
        await release.wait()
        handled.append(update["update_id"])

    server = WebhookServer(
        feed, path="/hook", secret_token="s", listen="127.0.0.1:0", max_in_flight=2
    )
    await server.start()
    url = f"http://127.0.0.1:{server.port}/hook"
    try:
        async with aiohttp.ClientSession(headers={SECRET_HEADER: "s"}) as client:
            assert [await _posted(client, url, n) for n in (1, 2)] == [200, 200]
            third = asyncio.create_task(_posted(client, url, 3))
            await asyncio.sleep(0.3)
            assert not third.done(), "acknowledged with no slot to handle it"
            release.set()
            assert await third == 200
            await server.in_flight.drain()
    finally:
        await server.stop()
    assert sorted(handled) == [1, 2, 3]


async def test_an_update_without_a_slot_for_too_long_is_refused_with_503() -> None:
    release = asyncio.Event()

    async def feed(update: dict) -> None:
        await release.wait()

    server = WebhookServer(
        feed, path="/hook", secret_token="s", listen="127.0.0.1:0", max_in_flight=1,
        slot_seconds=0.2,
    )  # fmt: skip
    await server.start()
    url = f"http://127.0.0.1:{server.port}/hook"
    try:
        async with aiohttp.ClientSession(headers={SECRET_HEADER: "s"}) as client:
            assert [await _posted(client, url, n) for n in (1, 2)] == [200, 503]
            release.set()
            await server.in_flight.drain()
            assert await _posted(client, url, 2) == 200  # Telegram's retry goes through
            await server.in_flight.drain()
    finally:
        await server.stop()


async def test_deeply_nested_json_is_refused_with_400() -> None:
    async def feed(update: dict) -> None:
        raise AssertionError("never fed")

    server = WebhookServer(feed, path="/hook", secret_token="s", listen="127.0.0.1:0")
    await server.start()
    nested = "[" * 100_000 + "]" * 100_000
    try:
        async with aiohttp.ClientSession(headers={SECRET_HEADER: "s"}) as client:
            url = f"http://127.0.0.1:{server.port}/hook"
            async with client.post(url, data=nested) as answer:
                assert answer.status == 400
            async with client.get(f"http://127.0.0.1:{server.port}/healthz") as answer:
                assert answer.status == 200
    finally:
        await server.stop()


async def test_a_flood_of_forged_requests_is_logged_once(caplog) -> None:
    async def feed(update: dict) -> None:
        raise AssertionError("never fed")

    server = WebhookServer(feed, path="/hook", secret_token="s", listen="127.0.0.1:0")
    await server.start()
    try:
        async with aiohttp.ClientSession(headers={SECRET_HEADER: "forged"}) as client:
            for update_id in range(300):
                url = f"http://127.0.0.1:{server.port}/hook"
                async with client.post(url, json={"update_id": update_id}) as answer:
                    assert answer.status == 401
    finally:
        await server.stop()
    refusals = [r for r in caplog.records if "without the right secret token" in r.message]
    assert len(refusals) == 1


async def test_a_body_that_dribbles_in_is_cut_off(monkeypatch) -> None:
    from bot.channels import webhook

    monkeypatch.setattr(webhook, "BODY_SECONDS", 0.3)

    async def feed(update: dict) -> None:
        raise AssertionError("never fed")

    server = WebhookServer(feed, path="/hook", secret_token="s", listen="127.0.0.1:0")
    await server.start()

    async def dribble():
        yield b'{"update_id": '
        await asyncio.sleep(2)
        yield b"1}"

    try:
        async with aiohttp.ClientSession(headers={SECRET_HEADER: "s"}) as client:
            url = f"http://127.0.0.1:{server.port}/hook"
            async with client.post(url, data=dribble()) as answer:
                assert answer.status == 408
    finally:
        await server.stop()


async def _never_fed(update: dict) -> None:
    raise AssertionError("never fed")


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(), within) == b""
    except TimeoutError:
        return False


async def _health(port: int) -> int:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}/healthz") as answer,
    ):
        return answer.status


async def test_a_client_slow_to_send_its_headers_is_cut_off() -> None:
    server = WebhookServer(
        _never_fed, path="/hook", secret_token="s", listen="127.0.0.1:0", header_seconds=0.3
    )
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /hook HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
        await writer.drain()
        assert await _closed_by_server(reader, within=5)
        writer.close()
        assert await _health(server.port) == 200  # an honest client is still served
    finally:
        await server.stop()


async def test_a_connection_beyond_the_cap_makes_room_by_closing_the_oldest_silent_one() -> None:
    server = WebhookServer(
        _never_fed, path="/hook", secret_token="s", listen="127.0.0.1:0", max_connections=3
    )
    await server.start()
    try:
        held = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(3)]
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await _closed_by_server(held[0][0], within=5)  # the oldest that said nothing
        assert not await _closed_by_server(reader, within=0.3)  # the newcomer stays
        writer.close()
        for _, held_writer in held:
            held_writer.close()
    finally:
        await server.stop()


async def test_a_burst_of_connections_stays_within_the_cap() -> None:
    """Connections accepted in one turn of the event loop all picked the same oldest one to
    close (it stays listed until its close is processed): 700 at once left about 695 open
    against a cap of 512, and at 1,024 open files the process ran out of descriptors."""
    server = WebhookServer(
        _never_fed, path="/hook", secret_token="s", listen="127.0.0.1:0", max_connections=20
    )
    await server.start()
    try:
        burst = await asyncio.gather(
            *(asyncio.open_connection("127.0.0.1", server.port) for _ in range(60))
        )
        closed = await asyncio.gather(*(_closed_by_server(r, within=1) for r, _ in burst))
        assert len(burst) - sum(closed) <= 20, f"{len(burst) - sum(closed)} open, cap 20"
        for _, writer in burst:
            writer.close()
    finally:
        await server.stop()


async def test_telegram_is_served_while_strangers_hold_every_connection() -> None:
    """Strangers' idle connections fill the cap: Telegram's posts (they carry the secret)
    and /healthz are still served, each closing an idle stranger to fit."""
    fed: list[dict] = []

    async def feed(update: dict) -> None:
        fed.append(update)

    server = WebhookServer(
        feed, path="/hook", secret_token="s", listen="127.0.0.1:0", max_connections=20
    )
    await server.start()
    try:
        idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(35)]
        statuses = []
        async with aiohttp.ClientSession() as telegram:
            for update_id in range(10):
                async with telegram.post(
                    f"http://127.0.0.1:{server.port}/hook",
                    json={"update_id": update_id},
                    headers={SECRET_HEADER: "s"},
                ) as answer:
                    statuses.append(answer.status)
                idle.append(await asyncio.open_connection("127.0.0.1", server.port))
        assert statuses == [200] * 10
        assert await _health(server.port) == 200
        for _, writer in idle:
            writer.close()
    finally:
        await server.stop()
    assert await _eventually(lambda: len(fed) == 10)


async def _eventually(condition, seconds: float = 5) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()
