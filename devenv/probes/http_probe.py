"""Exit 0 when the URL in argv[1] answers 2xx or 3xx within 4 seconds (standard library only)."""

import sys
import urllib.error
import urllib.request
from email.message import Message as HTTPMessage
from typing import IO


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> None:
        return None  # a 3xx answer is an answer: healthy, as for the Node.js probe and Kubernetes


def main() -> int:
    """Probe once."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(sys.argv[1], timeout=4) as response:
            return 0 if response.status < 400 else 1
    except urllib.error.HTTPError as exc:
        return 0 if exc.code < 400 else 1
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy", said on stderr
        print(f"health check of {sys.argv[1]} failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
