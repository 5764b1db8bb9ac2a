"""Merge each addon's fresh i18n/<addon>.pot into its i18n/zh_CN.po.

Existing translations are kept (matched on msgctxt and msgid), obsolete entries dropped,
new ones added empty; the untranslated entries are printed. Usage: po_merge.py ADDON...
"""

import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
HEADER = {
    "Project-Id-Version": "Odoo Server 19.0",
    "Language": "zh_CN",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "",
    "Plural-Forms": "",
}


def merge(addon):
    i18n = REPO / addon / "i18n"
    pot = polib.pofile(str(i18n / f"{addon}.pot"))
    po_path = i18n / "zh_CN.po"
    old = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    known = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in old}
    po = polib.POFile(wrapwidth=78)
    po.metadata = {**HEADER, **pot.metadata, "Language": "zh_CN"}
    po.header = pot.header
    missing = []
    for entry in pot:
        msgstr = known.get((entry.msgctxt, entry.msgid), "")
        po.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgctxt=entry.msgctxt,
                msgstr=msgstr,
                occurrences=entry.occurrences,
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=entry.flags,
            )
        )
        if not msgstr:
            missing.append(entry.msgid)
    po.save(str(po_path))
    for msgid in missing:
        print(f"{addon}: untranslated: {msgid[:100]!r}")
    return len(missing)


if __name__ == "__main__":
    total = sum(merge(addon) for addon in sys.argv[1:])
    print(f"{total} untranslated entries")
