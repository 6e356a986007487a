#!/usr/bin/env python3
"""A tiny HTTP server standing in for a destination behind sekisho (scripts/demo).

usage: standin.py ADDRESS PORT NAME BODY

Answers every GET/HEAD with BODY (text/plain). Logs one line per request to
stderr as `standin=NAME event=request ...`; after binding it logs
`standin=NAME event=listening address=ADDRESS:PORT`. Exits on SIGTERM/SIGINT.
"""

import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    address, port, name, body = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    payload = (body + "\n").encode()

    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "sekisho-demo-standin"

        def _answer(self, with_body: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            if with_body:
                self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._answer(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        def log_request(self, code="-", size="-") -> None:
            print(
                f"standin={name} event=request peer={self.client_address[0]} "
                f"request={self.requestline!r} status={code}",
                file=sys.stderr,
                flush=True,
            )

        def log_error(self, fmt: str, *args) -> None:
            print(f"standin={name} event=error message={(fmt % args)!r}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    with ThreadingHTTPServer((address, port), Handler) as server:
        print(f"standin={name} event=listening address={address}:{port}", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
