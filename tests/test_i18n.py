"""Every Russian catalogue is complete: no untranslated or fuzzy entries, formats match."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/ru/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_there_is_a_russian_catalogue():
    assert ROOT / "locale/ru/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po):
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = []
    for entry in entries:
        if "#, fuzzy" in entry:
            untranslated.append(entry)
            continue
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n?((?:".*"\n?)*)', entry, flags=re.M)
        if entry.strip().startswith("#~") or not strs:
            continue
        if any(not (first or rest.strip().strip('"')) for first, rest in strs):
            untranslated.append(entry)
    assert not untranslated, f"{len(untranslated)} untranslated entries, first: {untranslated[0]}"
    result = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _entries(po: Path):
    """(context, msgid) → msgstr of a catalogue's singular entries."""
    text = po.read_text(encoding="utf-8")
    pattern = re.compile(r'(?:^msgctxt "(.*)"\n)?^msgid "(.*)"\n((?:".*"\n)*)^msgstr "(.*)"\n((?:".*"\n)*)', re.M)
    for ctx, first, rest, sfirst, srest in pattern.findall(text):
        msgid = first + "".join(line.strip()[1:-1] for line in rest.splitlines())
        msgstr = sfirst + "".join(line.strip()[1:-1] for line in srest.splitlines())
        if msgid:
            yield (ctx, msgid), msgstr


def test_one_msgid_has_one_translation_across_apps():
    """Django merges every app's catalogue: a msgid translated differently in two apps shows
    the other app's words on your page.  Give such strings a context (pgettext) instead."""
    seen: dict[tuple[str, str], tuple[str, Path]] = {}
    clashes = []
    for po in CATALOGUES:
        for key, msgstr in _entries(po):
            if key in seen and seen[key][0] != msgstr:
                clashes.append(
                    f"{key[1]!r}: {seen[key][0]!r} ({seen[key][1].relative_to(ROOT)}) vs {msgstr!r} ({po.relative_to(ROOT)})"
                )
            seen.setdefault(key, (msgstr, po))
    assert not clashes, "\n".join(clashes[:40])
