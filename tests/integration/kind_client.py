"""A service's view of a dependency: connect with the URL a service gets, speak the wire protocol.

Run inside a service container (the python stand-in, standard library only), with the
script on standard input: ``python3 - VAR PROTOCOL ARGS...``, where VAR names the
environment variable holding the URL (``MEMCACHED_URL``, ``REDIS_URL``, ``DATABASE_URL``).
Prints the answer; exits 1 with the server's error. Protocols:

- ``memcached set KEY VALUE`` / ``memcached get KEY`` (text protocol; get prints nothing on a miss);
- ``redis ARG...`` (RESP: one command, the reply printed; a list one item a line);
- ``mysql SQL`` (handshake, mysql_native_password, COM_QUERY; rows tab-separated, NULL as \\N).
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import sys
from urllib.parse import unquote, urlsplit


def connect(url: str, default_port: int) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname or "localhost", parts.port or default_port), timeout=20)


def memcached(url: str, args: list[str]) -> str:
    with connect(url, 11211) as sock, sock.makefile("rwb") as stream:
        if args[0] == "set":
            value = args[2].encode()
            stream.write(b"set %s 0 0 %d\r\n%s\r\n" % (args[1].encode(), len(value), value))
            stream.flush()
            return stream.readline().decode().strip()
        stream.write(b"get %s\r\n" % args[1].encode())
        stream.flush()
        line = stream.readline()
        if line.startswith(b"VALUE "):
            size = int(line.split()[3])
            return stream.read(size + 2)[:size].decode()
        return ""


def redis(url: str, args: list[str]) -> str:
    parts = urlsplit(url)
    with connect(url, 6379) as sock, sock.makefile("rwb") as stream:
        command = [b"SELECT", (parts.path.strip("/") or "0").encode()]
        for words in (command, [a.encode() for a in args]):
            stream.write(b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words))
        stream.flush()
        read_reply(stream)  # SELECT's OK
        return read_reply(stream)


def read_reply(stream) -> str:
    line = stream.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:].decode()
    if kind == b"-":
        raise SystemExit(f"redis: {rest}")
    if kind in (b"+", b":"):
        return rest
    if kind == b"$":
        return "" if int(rest) < 0 else stream.read(int(rest) + 2)[:-2].decode()
    return "\n".join(read_reply(stream) for _ in range(max(int(rest), 0)))


class MySQL:
    """Just enough of the MySQL client protocol for one query."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.sock = connect(url, 3306)
        self.seq = 0
        greeting = self.read()
        version_end = greeting.index(b"\0", 1)
        rest = greeting[version_end + 1 :]
        nonce = rest[4:12] + rest[31 : 31 + 12]  # auth-plugin-data parts 1 and 2
        caps = 0x1 | 0x8 | 0x200 | 0x8000 | 0x80000  # long password, with db, 4.1, secure conn, plugin auth
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        auth = scramble(password, nonce)
        payload = struct.pack("<IIB23x", caps, 1 << 24, 45) + user.encode() + b"\0"
        payload += bytes([len(auth)]) + auth + parts.path.strip("/").encode() + b"\0"
        payload += b"mysql_native_password\0"
        self.write(payload)
        answer = self.read()
        if answer[:1] == b"\xfe":  # auth switch: only mysql_native_password is spoken here
            plugin, _, data = answer[1:].partition(b"\0")
            if plugin != b"mysql_native_password":
                raise SystemExit(f"mysql: the server asks for {plugin.decode()}")
            self.write(scramble(password, data.rstrip(b"\0")))
            answer = self.read()
        self.check(answer)

    def read(self) -> bytes:
        head = self.recv(4)
        size = head[0] | head[1] << 8 | head[2] << 16
        self.seq = head[3] + 1
        return self.recv(size)

    def recv(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise SystemExit("mysql: connection closed")
            data += chunk
        return data

    def write(self, payload: bytes) -> None:
        self.sock.sendall(struct.pack("<I", len(payload))[:3] + bytes([self.seq]) + payload)
        self.seq += 1

    @staticmethod
    def check(packet: bytes) -> None:
        if packet[:1] == b"\xff":
            raise SystemExit(f"mysql: {packet[9:].decode(errors='replace')}")

    def query(self, sql: str) -> str:
        self.seq = 0
        self.write(b"\x03" + sql.encode())
        first = self.read()
        self.check(first)
        if first[:1] == b"\x00":
            return ""
        columns, _ = lenenc(first, 0)
        for _ in range(columns):
            self.read()
        self.read()  # EOF after the column definitions
        rows = []
        while True:
            packet = self.read()
            self.check(packet)
            if packet[:1] == b"\xfe" and len(packet) < 9:
                break
            pos, fields = 0, []
            for _ in range(columns):
                if packet[pos] == 0xFB:
                    fields.append("\\N")
                    pos += 1
                    continue
                size, pos = lenenc(packet, pos)
                fields.append(packet[pos : pos + size].decode())
                pos += size
            rows.append("\t".join(fields))
        return "\n".join(rows)


def lenenc(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first < 0xFB:
        return first, pos + 1
    width = {0xFC: 2, 0xFD: 3, 0xFE: 8}[first]
    return int.from_bytes(data[pos + 1 : pos + 1 + width], "little"), pos + 1 + width


def scramble(password: str, nonce: bytes) -> bytes:
    if not password:
        return b""
    one = hashlib.sha1(password.encode()).digest()
    two = hashlib.sha1(nonce[:20] + hashlib.sha1(one).digest()).digest()
    return bytes(a ^ b for a, b in zip(one, two, strict=True))


def main(argv: list[str]) -> None:
    variable, protocol, *args = argv
    url = os.environ[variable]
    if protocol == "memcached":
        print(memcached(url, args))
    elif protocol == "redis":
        print(redis(url, args))
    else:
        print(MySQL(url).query(args[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
