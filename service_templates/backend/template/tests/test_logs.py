import json
import logging

from app import logs


def test_a_record_is_one_json_line_with_its_extra_fields():
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "job %s", ("queued",), None)
    record.job = "j1"
    entry = json.loads(logs.JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["msg"], entry["job"]) == ("info", "app", "job queued", "j1")


def test_pika_chatter_is_left_out_and_warnings_kept(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "info")
    logs.setup()
    assert logging.getLogger("app").isEnabledFor(logging.INFO)
    assert not logging.getLogger("pika.adapters.blocking_connection").isEnabledFor(logging.INFO)
    assert logging.getLogger("pika.adapters.blocking_connection").isEnabledFor(logging.WARNING)
