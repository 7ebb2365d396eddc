"""server.py — the delay server, both sides. The server is build/cvp's own (bench/server/), run on
its own with `build/cvp --serve --delay-ms D`, so CPython's units wait on exactly the answers C's
do: a single-threaded epoll process on a Unix socket in a private (0700) directory that echoes
each request after D ms. The harness starts it as its child before any unit exists (units never
hold its listening socket), reads the socket's path it prints, and stops it after the clock with
SIGTERM, taking its CPU time from wait4 (the row's server_cpu_s); on every other way out the
guard (stop.py) stops it the same way, and removes the directory itself if the server could not
(it removes it on SIGTERM, and when its parent dies it gets SIGTERM).

The protocol (bench/server/server.h, client.c): a request is a header (magic "CVP1", payload
bytes, both uint32 little-endian) then the payload, words derived from a seed; the reply is the
request echoed. A correct echo adds payload_sum(seed, bytes) to the checksum, as C's
wl_server_call does, so echo's checksum is C's for the same size and tasks."""
import dataclasses
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess

import places
from stop import Limit, Wrong
from workloads.common import M64, mix64

MAGIC = 0x31505643  # "CVP1"
GOLDEN = 0x9E3779B97F4A7C15
SPARE_FDS = 64  # as bench/server/server.c
STOP_WAIT_S = 2.0


def payload(seed, nbytes):
    """The request for (seed, nbytes): header and payload words, and what a correct echo adds
    to the checksum (C's wl_payload_sum)."""
    words = [mix64((seed * GOLDEN + w) & M64) for w in range(nbytes // 8)]
    total = nbytes
    for w, word in enumerate(words):
        total += mix64((word + w) & M64)
    return struct.pack(f"<II{len(words)}Q", MAGIC, nbytes, *words), total & M64


def payload_sum(seed, nbytes):
    return payload(seed, nbytes)[1]


@dataclasses.dataclass
class Conn:
    """A unit's connection, blocking (serial, threads, procs)."""
    sock: socket.socket

    @classmethod
    def open(cls, path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError:
            s.close()
            raise
        return cls(s)

    def call(self, seed, nbytes):
        """One round trip: send the request, read the whole echo, check it; its sum."""
        req, total = payload(seed, nbytes)
        self.sock.sendall(req)
        got = bytearray(len(req))
        view, have = memoryview(got), 0
        while have < len(req):
            k = self.sock.recv_into(view[have:])
            if k == 0:
                raise Wrong("the delay server closed the connection mid-echo")
            have += k
        if got != req:
            raise Wrong(f"the delay server's echo of request {seed} differs from it")
        return total

    def close(self):
        self.sock.close()


@dataclasses.dataclass
class AConn:
    """A unit's connection under coros: asyncio streams."""
    reader: object
    writer: object

    @classmethod
    async def open(cls, path):
        import asyncio
        return cls(*await asyncio.open_unix_connection(path))

    async def call(self, seed, nbytes):
        req, total = payload(seed, nbytes)
        self.writer.write(req)
        await self.writer.drain()
        try:
            got = await self.reader.readexactly(len(req))
        except EOFError:  # asyncio.IncompleteReadError
            raise Wrong("the delay server closed the connection mid-echo")
        if got != req:
            raise Wrong(f"the delay server's echo of request {seed} differs from it")
        return total

    async def close(self):
        self.writer.close()
        await self.writer.wait_closed()


def raise_nofile(conns):
    """Every connection is a descriptor in the harness and one in the server, which inherits the
    limit: take the hard limit of RLIMIT_NOFILE, or refuse (exit 3) as build/cvp does."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # hard infinite, above fs.nr_open: keep soft
            pass
    if soft < conns + SPARE_FDS:
        raise Limit(f"RLIMIT_NOFILE (ulimit -n): {conns} connections need {conns + SPARE_FDS} "
                    f"descriptors in the harness and as many in the delay server, but the hard "
                    f"limit is {soft}; raise it (ulimit -Hn as root, or limits.conf) or use "
                    "fewer units")


@dataclasses.dataclass
class DelayServer:
    """build/cvp --serve, a child of the harness."""
    proc: subprocess.Popen
    path: str

    @classmethod
    def start(cls, delay_ms, timeout_s):
        """Starts the server (its watchdog a little past the run's) and waits for its path."""
        args = [places.cvp_binary(), "--serve", "--delay-ms", str(delay_ms),
                "--timeout-s", str(timeout_s + 5)]
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        except OSError as e:
            raise Limit(f"delay server: cannot start {args[0]}: {e} (limits: ulimit -u, "
                        "memory)")
        line = proc.stdout.readline().decode("utf-8", "replace").strip()
        proc.stdout.close()  # before any unit exists: none inherits it
        if not line.endswith("/sock"):
            proc.kill()
            proc.wait()
            raise Wrong(f"delay server: {' '.join(args)} printed no socket path")
        return cls(proc, line)

    def stop(self):
        """The normal end, after the clock: SIGTERM, reap; its CPU time (user + system) over its
        whole life. A server that had died on its own fails the run, as in build/cvp."""
        try:
            self.proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        _, status, ru = os.wait4(self.proc.pid, 0)
        self.proc.returncode = code = os.waitstatus_to_exitcode(status)
        self._remove()
        if code not in (-signal.SIGTERM, 128 + signal.SIGTERM):  # it exits 143 having tidied up
            raise (Limit if code == 3 else Wrong)(
                "delay server died before the run ended (" +
                (f"exit status {code})" if code >= 0 else f"signal {-code})"))
        return ru.ru_utime + ru.ru_stime

    def kill(self):
        """On an abnormal way out: SIGTERM (the server removes its directory), bounded, then
        SIGKILL, and remove what is left; never raises."""
        try:
            if self.proc.returncode is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(STOP_WAIT_S)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(STOP_WAIT_S)
        except (OSError, subprocess.SubprocessError):
            pass
        self._remove()

    def _remove(self):
        d = os.path.dirname(self.path)
        if os.path.basename(d).startswith("cvp-server."):
            shutil.rmtree(d, ignore_errors=True)
