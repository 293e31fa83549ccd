"""The performance cache: a second load reuses the comparisons, any change to what shapes them
gives fresh ones, a broken entry is ignored and rewritten, the folder stays within its bounds,
errors are never kept, and with the cache off nothing is written."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.paths import EditParams

from toolkit.analysis import performance_cache
from toolkit.analysis.performance_cache import (
    COMPARISONS,
    comparison_key,
    decode_compared,
    encode_compared,
    file_fingerprints,
)
from toolkit.errors import ValidationFailed
from toolkit.inputs import performance
from toolkit.inputs.cache import CACHE_ENV, Cache, cache_folder
from toolkit.review import Review, load_review

MiniPerf = tuple[Path, dict[str, str], list[str]]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The cache in a folder of this test's own, with nothing in this process's memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    COMPARISONS.clear_memory()
    performance.PARSED.clear_memory()
    yield folder / "comparisons"
    COMPARISONS.clear_memory()
    performance.PARSED.clear_memory()


def fresh_process() -> None:
    """What a new process (the notebook's kernel, the next run) starts with: an empty memory."""
    COMPARISONS.clear_memory()
    performance.PARSED.clear_memory()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def set_cell(data: Path, code: str, column: str, value: str) -> None:
    """Write ``value`` into ``column`` of the authority's 2024 row of a DfE file."""
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines[0].strip().split(",").index(column)
    for i, line in enumerate(lines):
        cells = line.rstrip("\n").split(",")
        if cells[0] == "2024" and code in cells:
            cells[at] = value
            lines[i] = ",".join(cells) + "\n"
            break
    data.write_text("".join(lines), encoding="utf-8")


def perf(review: Review) -> tuple[object, ...]:
    assert review.performance is not None
    return review.performance.comparisons


def test_second_load_reads_the_cache(mini_perf: MiniPerf, cache: Path) -> None:
    params, _, _ = mini_perf
    first = load_review(params)
    assert len(entries(cache)) == 1
    assert len(performance.PARSED._memory) == 1  # the file parsed once in this process
    fresh_process()
    second = load_review(params)  # from disk: nothing parsed
    assert len(performance.PARSED._memory) == 0
    assert perf(second) == perf(first)
    assert second.warnings == first.warnings
    assert load_review(params).performance is not None  # from memory
    assert len(entries(cache)) == 1


def test_cached_equals_uncached(mini_perf: MiniPerf, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params, _, _ = mini_perf
    load_review(params)
    fresh_process()
    cached = load_review(params)
    monkeypatch.setenv(CACHE_ENV, "off")
    plain = load_review(params)
    assert perf(cached) == perf(plain)
    assert cached.performance == plain.performance
    # numbers keep their type through JSON (an int stays an int, so it prints the same)
    for a, b in zip(perf(cached), perf(plain), strict=True):
        for name in ("value", "england", "region", "neighbours_mean", "neighbours_median", "rank"):
            assert type(getattr(a, name)) is type(getattr(b, name)), name


def test_one_byte_of_a_performance_file_gives_fresh_figures(mini_perf: MiniPerf, cache: Path) -> None:
    params, la, _ = mini_perf
    root = params.parents[1]
    data = root / "data" / "performance" / "sen2_synthetic.csv"
    before = load_review(params)
    old_cell = la["no_exc_20week_rate"]
    new_cell = old_cell[:-1] + ("1" if old_cell[-1] != "1" else "2")  # one byte
    set_cell(data, la["new_la_code"], "no_exc_20week_rate", new_cell)
    fresh_process()
    after = load_review(params)
    assert len(entries(cache)) == 2
    assert before.performance is not None and after.performance is not None
    old, new = before.performance.get("ehcp_20wk_no_exc"), after.performance.get("ehcp_20wk_no_exc")
    assert old is not None and new is not None
    assert new.value == float(new_cell) != old.value


def test_a_file_changed_while_the_process_runs_is_read_again(mini_perf: MiniPerf, cache: Path) -> None:
    """A batch worker keeps what it parsed; a file edited between two reviews is parsed afresh."""
    params, la, _ = mini_perf
    data = params.parents[1] / "data" / "performance" / "sen2_synthetic.csv"
    before = load_review(params)
    set_cell(data, la["new_la_code"], "no_exc_20week_rate", "12.5")
    after = load_review(params)  # same process: nothing cleared
    assert len(performance.PARSED._memory) == 2 and len(entries(cache)) == 2
    new = after.performance.get("ehcp_20wk_no_exc") if after.performance else None
    old = before.performance.get("ehcp_20wk_no_exc") if before.performance else None
    assert new is not None and old is not None and new.value == 12.5 != old.value


def test_the_catalogue_and_the_neighbours_are_in_the_key(mini_perf: MiniPerf, cache: Path,
                                                         edit_params: EditParams) -> None:
    params, _, neighbours = mini_perf
    root = params.parents[1]
    own = root / "data" / "my_catalogue.yaml"
    own.write_text("indicators:\n  - id: ehcp_20wk_no_exc\n    title: Plans on time\n    short_title: On time\n"
                   "    unit: percent\n    polarity: higher_better\n    decimals: 0\n    publication_lag_months: 6\n"
                   "    source: {column: no_exc_20week_rate}\n", encoding="utf-8")
    edit_params(params, lambda d: d["performance"].update(catalogue="data/my_catalogue.yaml"))
    first = load_review(params)
    own.write_text(own.read_text(encoding="utf-8").replace("decimals: 0", "decimals: 1"), encoding="utf-8")
    fresh_process()
    second = load_review(params)
    assert len(entries(cache)) == 2
    assert first.performance is not None and second.performance is not None
    a, b = first.performance.get("ehcp_20wk_no_exc"), second.performance.get("ehcp_20wk_no_exc")
    assert a is not None and b is not None and (a.indicator.decimals, b.indicator.decimals) == (0, 1)

    edit_params(params, lambda d: d["performance"].update(neighbours=neighbours[:2]))
    fresh_process()
    third = load_review(params)
    assert len(entries(cache)) == 3
    c = third.performance.get("ehcp_20wk_no_exc") if third.performance else None
    assert c is not None and len(c.neighbours) == 2 and len(b.neighbours) == len(neighbours)


def test_the_toolkit_code_is_in_the_key(mini_perf: MiniPerf, cache: Path) -> None:
    params, _, _ = mini_perf
    review = load_review(params)
    root = params.parents[1]
    files = file_fingerprints([root / p for p in review.params.inputs.performance], root)
    assert files is not None
    from toolkit.analysis.performance_data import review_catalogue

    catalogue = review_catalogue(review.params, root)
    args = (files, catalogue, review.params.authority.ons_code, None, review.params.visit.dates[0],
            review.params.performance.neighbours)
    assert comparison_key(*args) == comparison_key(*args)
    assert comparison_key(*args, code="another toolkit") != comparison_key(*args)
    assert entries(cache)[0].stem == comparison_key(*args)


@pytest.mark.parametrize("damage", ["truncate", "not json", "another key", "bad field"])
def test_a_broken_entry_is_ignored_and_rewritten(mini_perf: MiniPerf, cache: Path, damage: str) -> None:
    params, _, _ = mini_perf
    first = load_review(params)
    (entry,) = entries(cache)
    good = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(good[: len(good) // 2])
    elif damage == "not json":
        entry.write_bytes(b"\xff\xfe not json")
    elif damage == "another key":
        data = json.loads(good)
        data["key"] = "0" * 64
        entry.write_text(json.dumps(data), encoding="utf-8")
    else:
        data = json.loads(good)
        data["data"]["comparisons"][0]["value"] = "a word"
        entry.write_text(json.dumps(data), encoding="utf-8")
    fresh_process()
    again = load_review(params)
    assert perf(again) == perf(first)
    assert entry.read_bytes() == good  # rewritten whole


def test_errors_are_never_kept(mini_perf: MiniPerf, cache: Path, edit_params: EditParams) -> None:
    params, la, _ = mini_perf
    root = params.parents[1]
    data = root / "data" / "performance" / "sen2_synthetic.csv"
    text = data.read_text(encoding="utf-8")
    set_cell(data, la["new_la_code"], "no_exc_20week_rate", "about half")
    messages = []
    for _ in range(3):
        fresh_process()
        with pytest.raises(ValidationFailed) as exc:
            load_review(params)
        messages.append(str(exc.value))
    assert messages[0] == messages[1] == messages[2] and "about half" in messages[0]
    assert entries(cache) == []

    # a problem found after comparing (a neighbour that is no authority) is raised from a hit too
    data.write_text(text, encoding="utf-8")
    edit_params(params, lambda d: d["performance"]["neighbours"].append("E06999999"))
    found = []
    for _ in range(3):
        with pytest.raises(ValidationFailed) as exc:
            load_review(params)
        found.append(str(exc.value))
        fresh_process()
    assert found[0] == found[1] == found[2] and "E06999999" in found[0]


def test_cache_off_writes_nothing(mini_perf: MiniPerf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params, _, _ = mini_perf
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(CACHE_ENV, "off")
    fresh_process()
    assert cache_folder() is None
    load_review(params)
    load_review(params)
    assert not home.exists() and not (tmp_path / "xdg").exists()
    assert len(COMPARISONS._memory) == 0 and len(performance.PARSED._memory) == 0


def test_where_the_cache_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert cache_folder() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "peer-review"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "peer-review"


def test_the_folder_is_private_and_bounded(cache: Path) -> None:
    store = Cache("bounded", max_entries=3, max_bytes=10_000)
    for i in range(6):
        store.put_disk(f"{i:064x}", {"n": i})
    folder = cache.parent / "bounded"
    assert folder.stat().st_mode & 0o777 == 0o700 and cache.parent.stat().st_mode & 0o777 == 0o700
    assert sorted(p.stem for p in entries(folder)) == [f"{i:064x}" for i in (3, 4, 5)]  # the newest three
    assert store.get_disk(f"{5:064x}") == {"n": 5} and store.get_disk(f"{0:064x}") is None
    for i in range(6, 10):
        store.put_disk(f"{i:064x}", {"n": i, "pad": "x" * 4000})  # about 4 kB each: two fit
    assert sorted(p.stem for p in entries(folder)) == [f"{i:064x}" for i in (8, 9)]
    assert sum(p.stat().st_size for p in entries(folder)) <= 10_000


def test_a_folder_others_can_write_to_is_not_trusted(cache: Path) -> None:
    store = Cache("shared")
    key = "b" * 64
    store.put_disk(key, {"figure": 1})
    folder = cache.parent / "shared"
    assert store.get_disk(key) == {"figure": 1}
    folder.chmod(0o777)  # anyone may now plant an entry here
    assert store.get_disk(key) is None
    store.put_disk("c" * 64, {"figure": 2})
    assert not (folder / f"{'c' * 64}.json").exists()
    folder.chmod(0o700)
    (folder / f"{'d' * 64}.json").symlink_to(folder / f"{key}.json")  # an entry that is a link
    assert store.get_disk("d" * 64) is None and store.get_disk(key) == {"figure": 1}


def test_concurrent_writers_never_tear_an_entry(cache: Path) -> None:
    store = Cache("race")
    key = "a" * 64
    payloads = [{"writer": w, "rows": [w] * 20_000} for w in range(2)]
    seen: list[object] = []
    done = threading.Event()

    def write(payload: dict[str, object]) -> None:
        for _ in range(30):
            store.put_disk(key, payload)

    def read() -> None:
        while not done.is_set():
            seen.append(store.get_disk(key))

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join()
    assert all(s is None or s in payloads for s in seen)
    assert store.get_disk(key) in payloads
    assert [p.name for p in (cache.parent / "race").iterdir()] == [f"{key}.json"]  # no temporary left


def test_encoding_round_trips(mini_perf: MiniPerf, cache: Path) -> None:
    params, _, _ = mini_perf
    review = load_review(params)
    assert review.performance is not None
    from toolkit.analysis.performance_data import review_catalogue

    compared = performance_cache.Compared(review.performance.comparisons, review.performance.warnings)
    data = json.loads(json.dumps(encode_compared(compared)))
    assert decode_compared(data, review_catalogue(review.params, params.parents[1])) == compared


@pytest.mark.slow
def test_a_draft_is_the_same_with_and_without_the_cache(mini_perf: MiniPerf, cache: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebook's kernel finds what the drafting process kept (one entry for both loads), and
    the letter's bytes are the same from an empty cache, a filled one, and with the cache off."""
    from toolkit.build.render import draft

    params, _, _ = mini_perf
    built = {}
    for run in ("first", "second", "off"):
        if run == "off":
            monkeypatch.setenv(CACHE_ENV, "off")
        fresh_process()
        result = draft(params, tmp_path / run)
        built[run] = {p.name: p.read_bytes() for p in result.folder.iterdir() if p.name.startswith("letter.")}
        if run == "first":
            assert len(entries(cache)) == 1
    assert len(entries(cache)) == 1
    assert built["first"] == built["second"] == built["off"] and "letter.html" in built["off"]
