"""Parsed YAML kept per text: the same document as PyYAML's, PyYAML not loaded on a hit, and a
bad or unsafe cache file ignored."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit import yamlcache
from cockpit.runbook.catalog import CatalogError, load_catalog

_CHILD = """
import json, sys
from pathlib import Path
from cockpit import yamlcache
yamlcache.enable(Path(sys.argv[1]))
from cockpit.runbook.catalog import load_catalog
catalog = load_catalog()
print(json.dumps({"yaml_loaded": "yaml" in sys.modules, "alerts": len(catalog.alerts),
                  "first": catalog.alerts[0].name}))
"""


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    yamlcache.enable(tmp_path)
    yield tmp_path / "yaml-documents.json"
    yamlcache.disable()


def _start(cache_dir: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(cache_dir)], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_second_start_reads_the_catalog_without_pyyaml(tmp_path: Path) -> None:
    first = _start(tmp_path)
    path = tmp_path / "yaml-documents.json"
    assert path.stat().st_mode & 0o777 == 0o600
    second = _start(tmp_path)
    assert first["yaml_loaded"] is True
    assert second["yaml_loaded"] is False
    assert second["alerts"] == first["alerts"] and second["first"] == first["first"]
    assert load_catalog() == load_catalog()  # in-process, no cache: still the same catalog


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_DOCS)
def test_a_cached_document_equals_what_pyyaml_reads(doc: object) -> None:
    # Any document, including ones JSON cannot give back (NaN, huge integers): hit or miss,
    # the answer is what PyYAML's safe loader reads from the text.
    text = yaml.safe_dump(doc)
    expected = yaml.safe_load(text)
    with tempfile.TemporaryDirectory() as tmp:
        yamlcache.enable(Path(tmp))
        try:
            first, second = yamlcache.load(text), yamlcache.load(text)
        finally:
            yamlcache.disable()
    for got in (first, second):
        assert json.dumps(got, sort_keys=True, default=repr) == json.dumps(
            expected, sort_keys=True, default=repr
        )
        assert type(got) is type(expected)


def test_a_date_is_parsed_each_time_not_turned_into_a_string(cache: Path) -> None:
    text = "when: 2025-03-12\n"
    assert repr(yamlcache.load(text)) == repr(yamlcache.load(text))
    assert type(yamlcache.load(text)["when"]).__name__ == "date"
    assert not cache.exists()  # nothing JSON could not give back was kept


def test_a_corrupt_cache_file_is_ignored_and_replaced(cache: Path) -> None:
    cache.write_bytes(b"\x00not json{")
    cache.chmod(0o600)
    assert yamlcache.load("a: 1\n") == {"a": 1}
    assert list(json.loads(cache.read_text()).values()) == [{"a": 1}]


def test_a_cache_file_others_may_write_is_not_trusted(cache: Path) -> None:
    text = "a: 1\n"
    yamlcache.load(text)
    planted = json.loads(cache.read_text())
    planted[next(iter(planted))] = {"a": 666}
    cache.write_text(json.dumps(planted))
    cache.chmod(0o600)
    assert yamlcache.load(text) == {"a": 666}  # our own file is trusted: the plant works...
    cache.chmod(0o666)
    assert yamlcache.load(text) == {"a": 1}  # ...but not once others may write the file
    assert cache.stat().st_mode & 0o777 == 0o600  # and it was replaced by a safe one


def test_a_yaml_syntax_error_names_the_line(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "alerts.yaml"
    bad.write_text("alerts:\n  - name: X\n   bad: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"alerts.yaml:\d+: not valid YAML"):
        load_catalog(bad)
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(bad)  # a text that failed is never cached
    assert not cache.exists()
