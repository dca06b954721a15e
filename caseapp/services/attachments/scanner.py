"""Malware scan through the ClamAV daemon's socket (clamd's INSTREAM command, no client library).

CLAMD_SOCKET names a Unix socket (`/run/clamav/clamd.ctl`) or `tcp://host:port`; unset, nothing is
scanned. A configured scanner that cannot be reached answers `ScanResult.UNAVAILABLE`: the caller
quarantines the file instead of accepting it.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

_CHUNK = 64 * 1024


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    signature: str | None = None  # the name ClamAV gives what it found
    problem: str | None = None  # why the scanner could not answer


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        host, _sep, port = address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host, int(port)), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def scan_bytes(data: bytes, address: str | None, timeout: float = 30) -> ScanResult:
    """Send the bytes to clamd and return its verdict."""
    if not address:
        return ScanResult(Verdict.NOT_CONFIGURED)
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), _CHUNK):
                piece = data[start : start + _CHUNK]
                sock.sendall(struct.pack("!L", len(piece)) + piece)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                got = sock.recv(4096)
                if not got:
                    break
                reply += got
    except (OSError, ValueError) as exc:
        return ScanResult(Verdict.UNAVAILABLE, problem=type(exc).__name__)
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if text.endswith("FOUND"):
        return ScanResult(
            Verdict.INFECTED, signature=text.removeprefix("stream:").removesuffix("FOUND").strip()
        )
    if text.endswith("OK"):
        return ScanResult(Verdict.CLEAN)
    return ScanResult(Verdict.UNAVAILABLE, problem=text[:120] or "no answer")


def scan(data: bytes, config: Any) -> ScanResult:
    """Scan with the configured daemon (CLAMD_SOCKET, CLAMD_TIMEOUT_SECONDS)."""
    return scan_bytes(data, config.get("CLAMD_SOCKET"), float(config.get("CLAMD_TIMEOUT_SECONDS") or 30))
