"""Property-based: truncated, mutated and garbage documents import or raise ImportFailed, never corrupt."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry.errors import ImportFailed
from inquiry.importing import import_paths
from inquiry.store import Notebook

SEED = (
    Path(__file__).resolve().parent.parent / "inquiry" / "example" / "rl-knowing-doing-gap.inquiry.txt"
).read_bytes()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def import_bytes(data: bytes) -> None:
    """Import ``data`` as a file into a fresh notebook; check the documented outcome and the database."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.inquiry.txt"
        path.write_bytes(data)
        nb = Notebook.open(Path(folder) / "nb")
        try:
            try:
                result = import_paths(nb, [path])
            except ImportFailed as failure:
                assert failure.path == str(path) and failure.message
                assert nb.stats()["inquiries"] == 0  # nothing written
            else:
                stats = nb.stats()
                assert stats["inquiries"] == 1 and result.files == [str(path.resolve())]
                # every citation points at a stored note and spans text of its paragraph
                inquiry = nb.list_inquiries()[0]
                for citation in nb.citations():
                    assert nb.get_note(citation.note_id) is not None
                    assert 0 <= citation.start < citation.end <= len(inquiry.essay[citation.paragraph])
                again = import_paths(nb, [path])
                assert again.report.changed_ids == []
            assert nb.integrity_ok()
        finally:
            nb.close()


@SETTINGS
@given(st.integers(min_value=0, max_value=len(SEED)))
def test_truncated_seed(cut):
    import_bytes(SEED[:cut])


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.binary(max_size=4), st.integers(0, 3)), min_size=1, max_size=6)
)
def test_mutated_seed(edits):
    data = bytearray(SEED)
    for at, insert, delete in edits:
        at = min(at, len(data))
        data[at : at + delete] = insert
    import_bytes(bytes(data))


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.text(max_size=400).map(lambda t: ("INQUIRING LINE\n\n" + t).encode()),
    )
)
def test_garbage(data):
    import_bytes(data)
