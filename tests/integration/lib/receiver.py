"""A notification receiver for integration tests: an HTTP (or, given an ssl.SSLContext, HTTPS)
server on 127.0.0.1 that answers every POST with `status` (200 unless changed) and records
(time, path, JSON body) of the requests it accepted (2xx); `attempts` counts every POST. With
`port` it listens there (a receiver that was down and comes back)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Capture:
    def __init__(self, ssl_context=None, port=0):
        self.items = []
        self.status = 200
        self.attempts = 0
        self.lock = threading.Lock()
        cap = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with cap.lock:
                    cap.attempts += 1
                    status = cap.status
                    if status < 300:
                        cap.items.append((time.time(), self.path, json.loads(body)))
                answer = b"ok" if status < 300 else b"receiver unavailable"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self):
        with self.lock:
            return list(self.items)

    def wait(self, pred, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = [i for i in self.snapshot() if pred(i)]
            if got:
                return got
            time.sleep(0.02)
        return []
