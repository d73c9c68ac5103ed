"""A SAM project (a folder or a zip) → the template's text and the files it refers to.

The template is `template.yaml` / `template.yml` / `template.json` (the shallowest one; in a zip, possibly inside
one top folder). Files kept, by path relative to the template: `statemachine/**` and any `*.asl.json` /
`*.asl.yaml` (read for DefinitionUri); the names under `src/` are listed. Nothing is extracted to disk; a zip's
members are read in memory with the same limits as a file (10 MiB in all, no member above it, at most 5,000).
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

MAX_TOTAL = 10 * 1024 * 1024
MAX_MEMBERS = 5000
_TEMPLATES = ("template.yaml", "template.yml", "template.json")


class ProjectError(ValueError):
    pass


def _wanted(rel: str) -> bool:
    return rel.startswith("statemachine/") or rel.endswith((".asl.json", ".asl.yaml", ".asl.yml"))


def _pick(paths: list[str]) -> str:
    found = [p for p in paths if posixpath.basename(p) in _TEMPLATES and "/." not in "/" + p]
    if not found:
        raise ProjectError("no template.yaml (or template.yml, template.json) in the project")
    return min(found, key=lambda p: (p.count("/"), _TEMPLATES.index(posixpath.basename(p)), p))


def read_zip(data: bytes, name: str = "project.zip") -> tuple[str, str, dict[str, str], list[str]]:
    """(template text, its name, files by relative path, names under src/)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ProjectError(f"{name}: not a readable zip ({exc})") from None
    if len(members) > MAX_MEMBERS:
        raise ProjectError(f"{name}: more than {MAX_MEMBERS} files")
    if sum(m.file_size for m in members) > MAX_TOTAL * 4:
        raise ProjectError(f"{name}: more than 40 MiB when unpacked")
    by_path = {posixpath.normpath(m.filename.replace("\\", "/")).lstrip("/"): m for m in members}
    template_path = _pick(list(by_path))
    base = posixpath.dirname(template_path)
    total = 0

    def read(path: str) -> str:
        nonlocal total
        member = by_path[path]
        if member.file_size > MAX_TOTAL or total + member.file_size > MAX_TOTAL:
            raise ProjectError(f"{name}: {path} would take the project over 10 MiB")
        with archive.open(member) as handle:
            raw = handle.read(MAX_TOTAL + 1)
        total += len(raw)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ProjectError(f"{name}: {path} is not UTF-8 text") from None

    template = read(template_path)
    files, src = {}, []
    for path in sorted(by_path):
        rel = posixpath.relpath(path, base) if base else path
        if rel.startswith("../") or path == template_path:
            continue
        if _wanted(rel):
            files[rel] = read(path)
        elif rel.startswith("src/"):
            src.append(rel)
    return template, f"{name}:{template_path}", files, src


def read_folder(folder: str | Path) -> tuple[str, str, dict[str, str], list[str]]:
    root = Path(folder)
    paths = []
    for path in sorted(root.rglob("*")):
        if len(paths) > MAX_MEMBERS:
            raise ProjectError(f"{folder}: more than {MAX_MEMBERS} files")
        if path.is_file() and not path.is_symlink():
            paths.append(path.relative_to(root).as_posix())
    template_path = _pick(paths)
    base = posixpath.dirname(template_path)
    total = 0
    files, src = {}, []

    def read(rel_path: str) -> str:
        nonlocal total
        size = (root / rel_path).stat().st_size
        if total + size > MAX_TOTAL:
            raise ProjectError(f"{folder}: {rel_path} would take the project over 10 MiB")
        total += size
        try:
            return (root / rel_path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ProjectError(f"{folder}: {rel_path} is not UTF-8 text") from None

    template = read(template_path)
    for path in paths:
        rel = posixpath.relpath(path, base) if base else path
        if rel.startswith("../") or path == template_path:
            continue
        if _wanted(rel):
            files[rel] = read(path)
        elif rel.startswith("src/"):
            src.append(rel)
    return template, str(root / template_path), files, src


def import_project(source: str | Path | bytes, name: str | None = None):
    """A design from a project folder, a zip file's path, or a zip's bytes."""
    from importers.sam import import_template
    if isinstance(source, bytes):
        text, tname, files, src = read_zip(source, name or "project.zip")
    elif Path(source).is_dir():
        text, tname, files, src = read_folder(source)
    else:
        path = Path(source)
        if path.stat().st_size > MAX_TOTAL * 4:
            raise ProjectError(f"{source}: larger than 40 MiB")
        text, tname, files, src = read_zip(path.read_bytes(), name or str(source))
    design = import_template(text, name=tname, files=files)
    if src:
        design.metadata["sam"]["original"]["src"] = src
    return design


def is_project(path: str | Path) -> bool:
    path = Path(path)
    return path.is_dir() or (path.is_file() and zipfile.is_zipfile(path))
