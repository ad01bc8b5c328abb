#!/usr/bin/env python3
"""A TCP proxy between an edge and PostgreSQL that breaks one batch on purpose.

usage: pgproxy.py LISTEN_PORT SERVER_PORT MODE READY_FILE
MODE:
  pass         forwards everything
  drop-reply   the first apply_batch goes through to the server, which
               commits it; its reply is never forwarded: the connection is
               cut once the server has answered (ReadyForQuery seen)
  cut-request  the first apply_batch request is cut in half: the server
               gets part of it, then the connection goes
After the one break it forwards everything. It says what it did on stdout.
"""
import socket
import sys
import threading

listen_port, server_port, mode, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
state = {"armed": mode != "pass"}
lock = threading.Lock()


def say(msg):
    print(msg, flush=True)


def take_break():
    with lock:
        if state["armed"]:
            state["armed"] = False
            return True
        return False


def serve(client):
    server = socket.create_connection(("127.0.0.1", server_port))
    broken = threading.Event()
    waiting_reply = threading.Event()

    def close_both():
        broken.set()
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def up():  # client -> server
        try:
            while not broken.is_set():
                data = client.recv(65536)
                if not data:
                    break
                if b"apply_batch" in data and state["armed"]:
                    if mode == "cut-request" and take_break():
                        server.sendall(data[: len(data) // 2])
                        say("cut a batch request after %d of %d bytes" % (len(data) // 2, len(data)))
                        close_both()
                        return
                    if mode == "drop-reply" and take_break():
                        waiting_reply.set()
                server.sendall(data)
        except OSError:
            pass
        if not broken.is_set():
            close_both()

    def down():  # server -> client
        seen = b""
        try:
            while not broken.is_set():
                data = server.recv(65536)
                if not data:
                    break
                if waiting_reply.is_set():
                    seen += data
                    # ReadyForQuery ('Z', length 5, status) ends the answer:
                    # the transaction is over on the server
                    if b"Z\x00\x00\x00\x05" in seen:
                        say("dropped the reply to a committed batch (%d bytes)" % len(seen))
                        close_both()
                        return
                    continue
                client.sendall(data)
        except OSError:
            pass
        if not broken.is_set():
            close_both()

    threading.Thread(target=up, daemon=True).start()
    threading.Thread(target=down, daemon=True).start()


def main():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(16)
    open(ready, "w").close()
    while True:
        c, _ = ls.accept()
        serve(c)


main()
