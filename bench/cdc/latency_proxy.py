#!/usr/bin/env python3
"""A TCP relay that delays every byte by a fixed time in each direction, so a local ClickHouse looks like one
across a network (a destination in another zone or region). Order and content are kept; only timing changes.

    latency_proxy.py LISTEN_PORT TARGET_PORT ONE_WAY_MS

Used by bench/cdc/run.sh when CDC_DEST_RTT_MS is set (ONE_WAY_MS = RTT / 2).
"""
import asyncio
import sys
import time


async def pump(reader, writer, delay_s):
    # Each chunk is released delay_s after it arrived; a queue keeps them in order.
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    releaser = asyncio.create_task(release())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((time.monotonic() + delay_s, data if data else None))
            if not data:
                break
    except ConnectionError:
        queue.put_nowait((0, None))
    await releaser


async def serve(listen_port, target_port, delay_s):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, delay_s), pump(server_reader, client_writer, delay_s),
                             return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000.0))
