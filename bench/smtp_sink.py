"""An SMTP server that accepts every message and only counts them (a sink for benchmarks).

    python -m bench.smtp_sink [--port 0]     # prints "port N" once it listens

It speaks just enough ESMTP for smtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT) on loopback, keeps nothing, and answers ``XCOUNT`` with the number of
messages received, so that a benchmark can check that everything arrived. A
sink this thin keeps the measurement about the sender, not the server.
"""

import argparse
import asyncio
import sys

TERMINATOR = b"\r\n.\r\n"


class Counter:
    messages = 0
    bytes = 0


class SinkProtocol(asyncio.Protocol):
    def __init__(self, counter: Counter):
        self.counter = counter
        self.buffer = bytearray()
        self.in_data = False
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.in_data:
                # The terminator may straddle two reads; the buffer keeps what came before.
                end = self.buffer.find(TERMINATOR)
                if end < 0:
                    return
                self.counter.messages += 1
                self.counter.bytes += end
                del self.buffer[: end + len(TERMINATOR)]
                self.in_data = False
                self.transport.write(b"250 2.0.0 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line = bytes(self.buffer[:end])
            del self.buffer[: end + 2]
            self.command(line)

    def command(self, line: bytes) -> None:
        verb = line[:4].upper()
        if verb == b"EHLO":
            self.transport.write(
                b"250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600\r\n"
            )
        elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            self.transport.write(b"250 2.0.0 OK\r\n")
        elif verb == b"DATA":
            self.in_data = True
            # A message may start with the terminator's tail only after CRLF: begin with one.
            self.buffer[:0] = b"\r\n"
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 2.0.0 Bye\r\n")
            self.transport.close()
        elif line.upper().startswith(b"XCOUNT"):
            self.transport.write(f"250 {self.counter.messages}\r\n".encode())
        else:
            self.transport.write(b"502 5.5.2 Command not implemented\r\n")


async def serve(port: int) -> None:
    counter = Counter()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SinkProtocol(counter), "127.0.0.1", port)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
