"""The UTF-8 check of a text file: chunk by chunk, a character split between chunks is still one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from targeting.importing import text_encoding

# Text of one- to four-byte characters, and bytes that are no UTF-8 at all.
TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "So")), max_size=40)
ANY_BYTES = st.one_of(TEXT.map(str.encode), st.binary(max_size=40))


def python_says_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(data=ANY_BYTES, chunk=st.integers(1, 9))
def test_the_chunked_check_agrees_with_decoding_the_whole_file(tmp_path_factory, data, chunk):
    path = tmp_path_factory.mktemp("enc") / "file.csv"
    path.write_bytes(data)
    assert text_encoding._plain_utf8(path, chunk)[0] == python_says_utf8(data)
