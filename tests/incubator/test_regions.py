"""GB/T 2260 codes: levels, parents, subtree ranges."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from incubator.regions import in_subtree, is_region_code, level_of, parent_code, prefix_of, subtree_bounds


def test_it_reads_levels_and_parents_from_codes():
    assert (level_of("540000"), parent_code("540000")) == ("province", None)
    assert (level_of("540300"), parent_code("540300")) == ("prefecture", "540000")
    assert (level_of("540302"), parent_code("540302")) == ("county", "540300")
    assert (level_of("542525"), parent_code("542525")) == ("county", "542500")


def test_it_gives_subtree_ranges():
    assert prefix_of("540000") == "54"
    assert subtree_bounds("540000") == ("540000", "549999")
    assert subtree_bounds("540300") == ("540300", "540399")
    assert subtree_bounds("540302") == ("540302", "540302")


def test_it_validates_codes():
    assert is_region_code("540102")
    assert not is_region_code("54010")
    assert not is_region_code("054010")
    assert not is_region_code("54010a")


codes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)


@given(codes, codes)
def test_it_agrees_that_a_range_equals_the_prefix_match(code, ancestor):
    low, high = subtree_bounds(ancestor)
    assert (low <= code <= high) == in_subtree(code, ancestor)
