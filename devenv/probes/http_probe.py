"""Exit 0 when the URL in argv[1] answers 2xx or 3xx within 4 seconds (standard library only)."""

import sys
import urllib.request


def main() -> int:
    """Probe once."""
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=4) as response:  # noqa: S310 - a local URL from devenv
            return 0 if response.status < 400 else 1
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy", said on stderr
        print(f"health check of {sys.argv[1]} failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
