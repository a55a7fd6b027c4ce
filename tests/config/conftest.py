import pytest

from tests.servers import collect_static


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once per run as the image's build collects them, or the
    reason they could not be."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = collect_static(root, tmp_path_factory.mktemp("collect"))
    if result.returncode != 0:
        pytest.fail(f"collectstatic under production settings failed:\n{result.stderr[-3000:]}")
    return root
