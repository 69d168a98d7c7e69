"""The Word merge engine: MERGEFIELD templates merged into letters, pure Python."""

from .engine import MergeResult, MergeTemplate, TemplateError
from .fields import MergeField
from .outputs import CombinedDocumentWriter, ZipOfDocumentsWriter
from .pdf import PdfUnavailable, convert_to_pdf

__all__ = [
    "CombinedDocumentWriter",
    "MergeField",
    "MergeResult",
    "MergeTemplate",
    "PdfUnavailable",
    "TemplateError",
    "ZipOfDocumentsWriter",
    "convert_to_pdf",
]
