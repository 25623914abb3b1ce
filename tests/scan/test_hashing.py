"""HashingReader hashes every byte once whatever the parser reads or skips; folder digests
follow OpenSSF model signing."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.scan.hashing import (
    CHUNK,
    HashingReader,
    directory_digest,
    root_digest,
    sha256_file,
)

ops = st.lists(st.tuples(st.sampled_from(["read", "seek", "seek_cur", "seek_end"]),
                         st.integers(-50, 3000)), max_size=30)


@given(data=st.binary(max_size=5000), steps=ops)
def test_digest_is_the_files_whatever_the_reads_and_seeks(data: bytes, steps: list[tuple[
        str, int]]) -> None:
    reader = HashingReader(io.BytesIO(data))
    model = 0
    for op, n in steps:
        if op == "read":
            got = reader.read(abs(n))
            assert got == data[model : model + abs(n)]
            model += len(got)
        elif op == "seek":
            model = reader.seek(abs(n))
        elif op == "seek_cur":
            model = reader.seek(max(n, -model), os.SEEK_CUR)
        else:
            model = reader.seek(-min(abs(n), len(data)), os.SEEK_END)
        assert reader.tell() == model
    assert reader.finish() == hashlib.sha256(data).hexdigest()
    assert reader.hashed == len(data)


def test_skipped_bytes_are_hashed_in_chunks_not_read_by_the_parser(tmp_path: Path) -> None:
    blob = os.urandom(3 * CHUNK + 17)
    path = tmp_path / "f.bin"
    path.write_bytes(blob)
    seen: list[int] = []
    with path.open("rb") as fh:
        reader = HashingReader(fh, progress=seen.append)
        reader.seek(len(blob) - 5)
        assert reader.read(5) == blob[-5:]
        assert reader.bytes_read == 5
        assert reader.finish() == hashlib.sha256(blob).hexdigest()
    assert sum(seen) == len(blob)
    assert max(seen) <= CHUNK


def test_root_digest_is_sha256_of_raw_digests_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.bin").write_bytes(b"bbb")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.bin").write_bytes(b"a")
    (tmp_path / "model.sig").write_text("{}")          # the signature is not part of it
    (tmp_path / ".gitattributes").write_text("*")        # nor are git files
    (tmp_path / "link").symlink_to(tmp_path / "b.bin")  # nor links
    expected = hashlib.sha256(hashlib.sha256(b"bbb").digest()
                              + hashlib.sha256(b"a").digest()).hexdigest()
    assert directory_digest(tmp_path) == expected
    assert root_digest([("sub/a.bin", hashlib.sha256(b"a").hexdigest()),
                        ("b.bin", hashlib.sha256(b"bbb").hexdigest())]) == expected


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"x" * (CHUNK + 1))
    assert sha256_file(path) == (hashlib.sha256(b"x" * (CHUNK + 1)).hexdigest(), CHUNK + 1)
