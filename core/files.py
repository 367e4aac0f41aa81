"""Uploaded files: checked by their content and size, stored outside the web root, served
only through ``core.views.protected_file`` after a scope check of the owning object."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from core import policy

# kind -> (extensions, label)
FILE_KINDS = {
    "pdf": ((".pdf",), "PDF"),
    "docx": ((".docx",), "DOCX"),
    "xlsx": ((".xlsx",), "XLSX"),
    "pptx": ((".pptx",), "PPTX"),
    "odt": ((".odt", ".ods", ".odp"), "ODF"),
    "doc": ((".doc", ".xls", ".ppt"), "MS Office 97–2003"),
    "image": ((".png", ".jpg", ".jpeg"), _("image")),
    "csv": ((".csv", ".txt"), "CSV"),
}
DOCUMENT_KINDS = ("pdf", "docx", "odt", "doc")
EVIDENCE_KINDS = ("pdf", "docx", "xlsx", "pptx", "odt", "doc", "image")

_OOXML_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def sniff_kind(head: bytes, fileobj=None) -> str | None:
    """Recognise a file by its first bytes (and, for zip containers, their contents)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return "image"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                names = zf.namelist()
                if "mimetype" in names and zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                    return "odt"
                for kind, marker in _OOXML_MARKERS.items():
                    if any(n.startswith(marker) for n in names):
                        return kind
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        finally:
            fileobj.seek(0)
        return None
    try:
        head.decode("utf-8")
        return "csv"
    except UnicodeDecodeError:
        return None


@deconstructible
class UploadValidator:
    """Validate an uploaded file's type by content and extension, and its size."""

    def __init__(self, kinds=DOCUMENT_KINDS, max_bytes: int | None = None):
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes

    def __call__(self, value) -> None:
        limit = self.max_bytes or settings.UPLOAD_MAX_BYTES
        if value.size > limit:
            raise ValidationError(
                _("The file is too large: %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
                code="file_too_large",
            )
        name = (value.name or "").lower()
        allowed_ext = [ext for kind in self.kinds for ext in FILE_KINDS[kind][0]]
        labels = ", ".join(str(FILE_KINDS[kind][1]) for kind in self.kinds)
        if not any(name.endswith(ext) for ext in allowed_ext):
            raise ValidationError(_("Unsupported file type. Allowed: %(kinds)s.") % {"kinds": labels}, code="file_type")
        fileobj = value.file if hasattr(value, "file") else value
        fileobj.seek(0)
        head = fileobj.read(16)
        fileobj.seek(0)
        kind = sniff_kind(head, fileobj)
        if kind not in self.kinds:
            raise ValidationError(
                _("The file's content does not match its type. Allowed: %(kinds)s.") % {"kinds": labels},
                code="file_content",
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadValidator) and (self.kinds, self.max_bytes) == (other.kinds, other.max_bytes)


def resolve_protected_file(user, name: str) -> bool:
    """True if some scoped object the user may view owns the file ``name`` (the policy's
    ``may_download_file``)."""
    return policy.may_download_file(user, name)
