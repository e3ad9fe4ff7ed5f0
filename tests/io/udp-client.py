#!/usr/bin/env python3
# tests/io/udp-client.py — the real client of the split network: a host
# program, written with nothing but Python's socket module, that talks to
# two domUs through QEMU's user network.
#
# Where this sits in the story (course: split drivers, "a real client no
# one here wrote talks to a guest"): the scenario starts QEMU with
#   -netdev user,...,hostfwd=udp:127.0.0.1:$UDP_PORT1-10.0.2.16:7,
#                    hostfwd=udp:127.0.0.1:$UDP_PORT2-10.0.2.17:7
# so a datagram to 127.0.0.1:$UDP_PORT1 reaches d1's UDP port 7 (through
# the NE2000, dom0's driver, dom0's demultiplexing by IP and d1's ring),
# and $UDP_PORT2 reaches d2's.  Each domU answers "dN: <what we sent>", so
# getting "d1: ..." on port 1 and "d2: ..." on port 2 shows that every
# packet went onto the right domU's ring.  Run by the scenario's
# during_run while QEMU runs (tests/lib-qemu.sh); the guests may not be up
# yet, so every question is repeated until answered, within a deadline of
# wall-clock time (the guests' clock runs by instructions, not seconds).
#
#   split    (net-split.scn) echo with d1 and d2; ask d1 to "call" a
#            listener on the host (a port of its own): d1 sends a datagram
#            to 10.0.2.2:PORT, which QEMU hands to 127.0.0.1:PORT;
#            then "quit" to both.
#   attacks  (net-attacks.scn) d1 is hostile and floods dom0 while it
#            answers us "d1: flooding"; meanwhile d2 must answer every
#            datagram correctly; then "quit" to both.
import os
import socket
import sys
import time

DEADLINE = time.monotonic() + float(os.environ.get("UDP_CLIENT_SECONDS", "20"))


def say(msg):
    print("udp-client: " + msg, flush=True)


def ask(sock, port, payload, want, what):
    """Send payload to 127.0.0.1:port until an answer `want` comes."""
    tries = 0
    while time.monotonic() < DEADLINE:
        tries += 1
        sock.sendto(payload, ("127.0.0.1", port))
        end = time.monotonic() + 0.25
        while time.monotonic() < end:
            sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, _ = sock.recvfrom(2048)
            except socket.timeout:
                break
            if want(data):
                say(f"{what}: {data.decode(errors='replace')!r} after {tries} tries: ok")
                return data
            say(f"{what}: unexpected {data!r}")
    say(f"{what}: no answer after {tries} tries: FAIL")
    return None


def exact(text):
    return lambda data: data == text.encode()


def split(p1, p2):
    ok = True
    # The listener takes whatever port the kernel gives it (and tells d1
    # which): a port picked earlier could have been taken by another run
    # since (several scenarios run at once).
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    p3 = listener.getsockname()[1]
    socks = {}
    for name, port in (("d1", p1), ("d2", p2)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        socks[name] = (s, port)
        for i in (1, 2):
            msg = f"hello {i} from the host"
            ok &= ask(s, port, msg.encode(), exact(f"{name}: {msg}"), f"{name} echo {i}") is not None
    # d1 calls the listener through the gateway.
    s, port = socks["d1"]
    got = None
    while got is None and time.monotonic() < DEADLINE:
        if ask(s, port, f"call {p3}".encode(), exact(f"d1: calling {p3}"), "d1 call") is None:
            break
        listener.settimeout(2.0)
        try:
            data, src = listener.recvfrom(2048)
            got = data
            say(f"listener on 127.0.0.1:{p3}: {data.decode(errors='replace')!r} from {src[0]}: "
                + ("ok" if data == b"d1: hello host, via the gateway" else "FAIL"))
            ok &= data == b"d1: hello host, via the gateway"
        except socket.timeout:
            say("listener: nothing yet, calling again")
    ok &= got is not None
    for name in ("d1", "d2"):
        s, port = socks[name]
        ok &= ask(s, port, b"quit", exact(f"{name}: bye"), f"{name} quit") is not None
    return ok


def attacks(p1, p2):
    ok = True
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ok &= ask(a, p1, b"status", exact("d1: flooding"), "d1 (the attacker) flooding") is not None
    for i in range(1, 6):
        msg = f"are you there {i}"
        ok &= ask(v, p2, msg.encode(), exact(f"d2: {msg}"), f"d2 during the flood {i}") is not None
    ok &= ask(a, p1, b"quit", exact("d1: bye"), "d1 quit") is not None
    ok &= ask(v, p2, b"quit", exact("d2: bye"), "d2 quit") is not None
    return ok


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "split"
    p1, p2 = int(os.environ["UDP_PORT1"]), int(os.environ["UDP_PORT2"])
    if mode == "split":
        ok = split(p1, p2)
    elif mode == "attacks":
        ok = attacks(p1, p2)
    else:
        say(f"unknown mode {mode}")
        return 2
    say("all ok" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
