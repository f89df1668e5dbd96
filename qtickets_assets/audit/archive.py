"""Pack an audit folder into audit_<tag>.zip and write audit_<tag>.zip.sha256 in the exact format
`sha256sum -c` accepts: `<64 hex>  <file name>` (two spaces, name relative to the folder, trailing newline).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_line(hex_digest: str, file_name: str) -> str:
    if len(hex_digest) != 64 or any(c not in "0123456789abcdef" for c in hex_digest):
        raise ValueError("not a lowercase SHA-256 hex digest")
    return f"{hex_digest}  {file_name}\n"


def pack(folder: Path, run_tag: str, members: list[str]) -> tuple[Path, str]:
    """Zip `members` (paths relative to `folder`, in the given order) and write the checksum file next to it."""
    zip_path = folder / f"audit_{run_tag}.zip"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in members:
            zf.write(folder / name, arcname=name)
    digest = sha256_of(zip_path)
    (folder / f"{zip_path.name}.sha256").write_text(sha256_line(digest, zip_path.name), encoding="ascii")
    return zip_path, digest
