"""What may be uploaded as evidence: checked by extension, size and the file's own bytes."""

from __future__ import annotations

import codecs
import os
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# Extension → the signatures its first bytes must start with (None: plain text).
ALLOWED = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".ppt": _OLE,
    ".ofd": _ZIP,
    ".zip": _ZIP,
    ".txt": None,
}
_EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


def check_upload(upload) -> None:
    """Refuse a file that is too big, of a kind not allowed, or not what its name says."""
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise ValidationError(
            _("“%(name)s”: files of this kind may not be uploaded. Allowed: %(kinds)s.")
            % {"name": name, "kinds": " ".join(sorted(ALLOWED))}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB.")
            % {"name": name, "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if head.startswith(_EXECUTABLE):
        raise ValidationError(
            _("“%(name)s” is a program and may not be uploaded.") % {"name": name}
        )
    signatures = ALLOWED[ext]
    if signatures is None:
        if _has_nul(upload) or not _is_text(head):
            raise ValidationError(
                _("“%(name)s” is not the kind of file its name says.") % {"name": name}
            )
    elif not head.startswith(signatures):
        raise ValidationError(
            _("“%(name)s” is not the kind of file its name says.") % {"name": name}
        )


def _has_nul(upload) -> bool:
    # A NUL anywhere, not only in the first 2 KB, means the file is not plain text.
    found = any(b"\x00" in chunk for chunk in upload.chunks())
    upload.seek(0)
    return found


def _is_text(head: bytes) -> bool:
    # Incremental decoders accept a multi-byte character cut in half at the end of the
    # first 2 KB, whatever its length (2 or 4 bytes in GB18030, 2 to 4 in UTF-8).
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def stored_name(instance, filename: str) -> str:
    """A safe storage path: a random name under the year and month, the extension kept."""
    ext = os.path.splitext(filename)[1].lower()
    today = timezone.localdate()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}{ext}"
