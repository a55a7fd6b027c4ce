"""The image's build step: collectstatic under production settings (whitenoise's manifest
storage) names every file by its hash and compresses it; without it every page is a 500."""

import json

import pytest

FILES = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/chartjs/chart.umd.min.js",
    "hhl.css",
    "wall.css",
    "wall.js",
    "admin/css/base.css",
    "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
]


@pytest.mark.parametrize("name", FILES)
def test_collectstatic_under_production_settings_hashes_and_compresses(collected_static, name):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())["paths"]

    hashed = collected_static / manifest[name]
    assert hashed.name != name.rsplit("/", 1)[-1]
    assert hashed.exists()
    assert hashed.with_name(hashed.name + ".gz").exists()
