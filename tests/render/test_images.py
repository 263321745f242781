from devenv.render.images import mirror_image, split_reference


def test_split_reference():
    assert split_reference("postgres:16") == ("docker.io", "library/postgres:16")
    assert split_reference("bitnami/redis:7") == ("docker.io", "bitnami/redis:7")
    assert split_reference("ghcr.io/acme/tool:1") == ("ghcr.io", "acme/tool:1")
    assert split_reference("localhost:5000/x") == ("localhost:5000", "x")


def test_mirror_rules():
    mirror = {"docker.io": "corp/hub", "ghcr.io/acme": "corp/acme"}
    assert mirror_image("postgres:16", mirror) == "corp/hub/library/postgres:16"
    assert mirror_image("docker.io/library/redis:7", mirror) == "corp/hub/library/redis:7"
    assert mirror_image("ghcr.io/acme/tool:1.2", mirror) == "corp/acme/tool:1.2"
    assert mirror_image("ghcr.io/other/tool:1", mirror) == "ghcr.io/other/tool:1"
    assert mirror_image("postgres:16", {}) == "postgres:16"


def test_longest_rule_wins():
    mirror = {"ghcr.io": "a", "ghcr.io/acme": "b"}
    assert mirror_image("ghcr.io/acme/x", mirror) == "b/x"
    assert mirror_image("ghcr.io/zeta/x", mirror) == "a/zeta/x"
