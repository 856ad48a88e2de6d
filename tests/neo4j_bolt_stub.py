"""A tiny Bolt 4.4 server that records what the real neo4j driver sends it (no Neo4j can run here).

It speaks the wire protocol (handshake, chunked PackStream messages: HELLO, BEGIN,
RUN, PULL, DISCARD, COMMIT, ROLLBACK, RESET, GOODBYE) with the driver's own
PackStream codec, checks the credentials of each connection against its users, and
records every transaction: the user, the access mode the driver asked for
(BEGIN's ``mode``), the database, the timeout, the statements and whether it was
committed. It is not a Cypher engine: it keeps only what the collabgraph metadata
node would hold (the MERGE of ``:CollabgraphMeta`` sets it, on commit), answers the
statement reading it, and answers other statements from ``answers`` (else no rows).
Like Neo4j, it refuses a write statement in a read transaction and a write by a
user who may only read.
"""
from __future__ import annotations

import socketserver
import struct
import threading
from dataclasses import dataclass, field

from neo4j._codec.packstream import Structure  # the driver's codec: the stub and the driver agree on bytes
from neo4j._codec.packstream.v1 import PackableBuffer, Packer, UnpackableBuffer, Unpacker

HELLO, GOODBYE, RESET, RUN, BEGIN, COMMIT, ROLLBACK, DISCARD, PULL = (
    b"\x01", b"\x02", b"\x0f", b"\x10", b"\x11", b"\x12", b"\x13", b"\x2f", b"\x3f")
SUCCESS, RECORD, IGNORED, FAILURE = b"\x70", b"\x71", b"\x7e", b"\x7f"
WRITE_WORDS = ("CREATE", "MERGE", "DELETE", "SET ", "REMOVE", "DROP")


@dataclass
class Transaction:
    user: str
    mode: str                      # "r" or "w", as the driver asked in BEGIN
    database: str | None
    timeout_ms: int | None
    statements: list[tuple[str, dict]] = field(default_factory=list)
    committed: bool = False

    @property
    def writes(self) -> bool:
        return any(is_write(s) for s, _ in self.statements)


def is_write(statement: str) -> bool:
    return any(w in statement.upper() for w in WRITE_WORDS)


class BoltStub:
    """``with BoltStub(users={"reader": ("pw", "r"), "writer": ("pw", "w")}) as stub: stub.uri``"""

    def __init__(self, users: dict[str, tuple[str, str]]):
        self.users = users
        self.transactions: list[Transaction] = []
        self.meta: dict | None = None      # what the graph's metadata node holds
        self.answers: dict[str, tuple[list[str], list[list]]] = {}
        self.hellos: list[str] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                _Connection(stub, self.request).serve()

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.uri = f"bolt://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def committed_writes(self) -> list[Transaction]:
        return [t for t in self.transactions if t.committed and t.writes]

    def result(self, statement: str, params: dict) -> tuple[list[str], list[list]]:
        if statement.startswith("MATCH (m:CollabgraphMeta"):
            columns = ["build", "digest", "nodes", "relationships"]
            return columns, [[self.meta[c] for c in columns]] if self.meta else []
        return self.answers.get(statement, ([], []))


class _Connection:
    def __init__(self, stub: BoltStub, sock):
        self.stub, self.sock = stub, sock
        self.user, self.tx, self.failed = None, None, False
        self.pending: list[list] = []

    def serve(self) -> None:
        if self._read(4) != b"\x60\x60\xb0\x17":
            return
        self._read(16)                       # the driver's version offers; we pick 4.4, which it offers
        self.sock.sendall(b"\x00\x00\x04\x04")
        while True:
            try:
                message = self._message()
            except ConnectionError:
                return
            if message.tag == GOODBYE:
                return
            self._answer(message.tag, message.fields)

    def _answer(self, tag: bytes, fields: list) -> None:
        if tag == RESET:
            self.failed, self.tx, self.pending = False, None, []
            return self._send(SUCCESS, {})
        if self.failed:
            return self._send(IGNORED)
        if tag == HELLO:
            extra = fields[0]
            user, password = extra.get("principal"), extra.get("credentials")
            if self.stub.users.get(user, (None,))[0] != password:
                return self._fail("Neo.ClientError.Security.Unauthorized", "The client is unauthorized")
            self.user = user
            self.stub.hellos.append(user)
            return self._send(SUCCESS, {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"})
        if tag == BEGIN:
            extra = fields[0]
            self.tx = Transaction(self.user, extra.get("mode", "w"), extra.get("db"), extra.get("tx_timeout"))
            with self.stub._lock:
                self.stub.transactions.append(self.tx)
            return self._send(SUCCESS, {})
        if tag == RUN:
            return self._run(fields[0], fields[1])
        if tag in (PULL, DISCARD):
            n = fields[0].get("n", -1)
            rows = self.pending if tag == PULL and n < 0 else self.pending[:n] if tag == PULL else []
            for row in rows:
                self._send(RECORD, row)
            self.pending = [] if tag == DISCARD or n < 0 else self.pending[n:]
            return self._send(SUCCESS, {"has_more": bool(self.pending)} if self.pending else {"type": "r"})
        if tag == COMMIT:
            self.tx.committed = True
            with self.stub._lock:
                for statement, params in self.tx.statements:
                    if statement.startswith("MERGE (m:CollabgraphMeta"):
                        self.stub.meta = dict(params)
            self.tx = None
            return self._send(SUCCESS, {"bookmark": f"bm:{len(self.stub.transactions)}"})
        if tag == ROLLBACK:
            self.tx = None
            return self._send(SUCCESS, {})
        self._fail("Neo.ClientError.Request.Invalid", f"the stub does not handle message 0x{tag.hex()}")

    def _run(self, statement: str, params: dict) -> None:
        if self.tx is None:
            return self._fail("Neo.ClientError.Request.Invalid", "the stub only runs statements in transactions")
        self.tx.statements.append((statement, params))
        if is_write(statement) and self.tx.mode == "r":
            return self._fail("Neo.ClientError.Statement.AccessMode", "Writing in read access mode not allowed.")
        if is_write(statement) and self.stub.users[self.user][1] != "w":
            return self._fail("Neo.ClientError.Security.Forbidden", f"Write operations are not allowed for "
                                                                   f"user '{self.user}'")
        columns, self.pending = self.stub.result(statement, params)
        self.pending = [list(r) for r in self.pending]
        self._send(SUCCESS, {"fields": columns, "t_first": 0, "qid": 0})

    def _fail(self, code: str, message: str) -> None:
        self.failed = True
        self._send(FAILURE, {"code": code, "message": message})

    # ------------------------------------------------------------------ framing

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client closed")
            data += chunk
        return data

    def _message(self) -> Structure:
        body = b""
        while True:
            (size,) = struct.unpack(">H", self._read(2))
            if size == 0:
                if body:
                    break
                continue                     # a NOOP chunk
            body += self._read(size)
        return Unpacker(UnpackableBuffer(body)).unpack()

    def _send(self, tag: bytes, *fields) -> None:
        buffer = PackableBuffer()
        Packer(buffer).pack(Structure(tag, *fields))
        data = bytes(buffer.data)
        frames = b"".join(struct.pack(">H", len(data[i:i + 65535])) + data[i:i + 65535]
                          for i in range(0, len(data), 65535))
        self.sock.sendall(frames + b"\x00\x00")
