import pytest

from worker import tasks


def test_word_count_counts_words():
    assert tasks.run("word_count", {"text": "one two  three"}) == {"words": 3, "characters": 14}


def test_an_unknown_task_is_an_error():
    with pytest.raises(tasks.UnknownTask, match="unknown task 'nope'"):
        tasks.run("nope", {})


def test_tasks_register_by_name():
    @tasks.task("double")
    def double(payload):
        return payload["n"] * 2

    assert tasks.run("double", {"n": 21}) == 42
