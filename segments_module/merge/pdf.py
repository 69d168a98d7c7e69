"""Convert a merged .docx to PDF with LibreOffice (soffice --headless)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

MISSING_MESSAGE = (
    "PDF output needs LibreOffice: install it (Debian: apt-get install"
    " libreoffice-writer-nogui) so that soffice is on PATH, or ask for DOCX output."
)


class PdfUnavailable(RuntimeError):
    """The PDF could not be made: LibreOffice is missing, failed or timed out."""


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx_path: Path, out_dir: Path, timeout: float = 120) -> Path:
    """Convert a .docx to PDF in out_dir and return the PDF's path.

    Each call runs soffice with a private, temporary user profile, so that
    conversions do not share or lock the profile of a running LibreOffice.
    `timeout` is in seconds. Raises PdfUnavailable when soffice is not on PATH,
    fails, times out or writes no PDF.
    """
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(MISSING_MESSAGE)
    docx_path = Path(docx_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="segments-soffice-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx_path),
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            logger.error("soffice timed out after %s s on %s", timeout, docx_path.name)
            raise PdfUnavailable(
                f'Converting "{docx_path.name}" to PDF timed out after {timeout} s:'
                " retry with a longer timeout or ask for DOCX output."
            ) from None
    pdf_path = out_dir / f"{docx_path.stem}.pdf"
    if completed.returncode != 0 or not pdf_path.exists():
        detail = (completed.stderr or completed.stdout).strip()[-500:]
        logger.error(
            "soffice failed on %s with exit code %d: %s",
            docx_path.name,
            completed.returncode,
            detail,
        )
        raise PdfUnavailable(
            f'LibreOffice could not convert "{docx_path.name}" to PDF (exit code'
            f" {completed.returncode}: {detail or 'no output'}). Check that the"
            " file opens in Word, or ask for DOCX output."
        )
    return pdf_path
