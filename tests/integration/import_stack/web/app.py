"""A tiny service of the imported project: MySQL through the MYSQL_* variables, Redis through REDIS_HOST.

GET /healthz answers 200; GET /products lists the seeded products; POST /orders/<sku> stores an
order in MySQL and counts it in Redis; GET /orders answers both counts. Standard library only:
the MySQL and Redis wire protocols come from kind_client.py (the integration tests' client).
"""

from __future__ import annotations

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kind_client import MySQL, redis

DATABASE = "mysql://{MYSQL_USER}:{MYSQL_PASSWORD}@{MYSQL_HOST}:3306/{MYSQL_DATABASE}".format(**os.environ)
REDIS = f"redis://{os.environ['REDIS_HOST']}:6379/0"


def rows(sql: str) -> list[list[str]]:
    text = MySQL(DATABASE).query(sql)
    return [line.split("\t") for line in text.splitlines() if line]


class Handler(BaseHTTPRequestHandler):
    def answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self.answer(200, {"ok": True})
        elif self.path == "/products":
            self.answer(200, {"products": [sku for sku, _ in rows("SELECT sku, name FROM products ORDER BY sku")]})
        elif self.path == "/orders":
            stored = int(rows("SELECT COUNT(*) FROM orders")[0][0])
            counted = redis(REDIS, ["GET", "orders"])
            self.answer(200, {"stored": stored, "counted": int(counted) if counted.isdigit() else 0})
        else:
            self.answer(404, {})

    def do_POST(self) -> None:
        sku = self.path.removeprefix("/orders/")
        MySQL(DATABASE).query(f"INSERT INTO orders (sku) VALUES ('{sku}')")
        self.answer(201, {"counted": int(redis(REDIS, ["INCR", "orders"]))})

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
