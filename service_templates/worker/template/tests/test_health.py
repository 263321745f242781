import json
import urllib.error
import urllib.request

from worker.health import Health, serve


def get(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_healthy_while_the_loop_beats_and_the_queue_answers():
    health = Health(stale_after=30)
    server = serve(health, 0)
    port = server.server_address[1]
    try:
        assert get(port)[0] == 503  # not connected yet
        health.beat(queue_ok=True)
        status, body = get(port)
        assert status == 200 and body["status"] == "ok"
        health.beat(queue_ok=False)
        assert get(port)[0] == 503
    finally:
        server.shutdown()


def test_unhealthy_when_the_loop_is_stuck():
    health = Health(stale_after=0)
    health.beat(queue_ok=True)
    server = serve(health, 0)
    try:
        assert get(server.server_address[1])[0] == 503
    finally:
        server.shutdown()
