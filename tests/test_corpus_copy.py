"""tests/corpus is a verbatim copy of ../shared/corpus: every file matches the checksum taken from the original."""
import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "corpus-manifest.sha256"   # `sha256sum` of every file in ../shared/corpus when it was copied


def test_copy_is_verbatim_and_complete():
    expected = {}
    for line in MANIFEST.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        expected[name.removeprefix("./")] = digest
    actual = {str(p.relative_to(HERE / "corpus")): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (HERE / "corpus").rglob("*") if p.is_file()}
    assert actual == expected
    assert sum(1 for n in expected if n.startswith("sam/") and n.endswith((".yaml", ".yml"))) == 85
