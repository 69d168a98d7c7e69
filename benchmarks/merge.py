"""Time the Word merge engine against docx-mailmerge2 on the same template and data.

Three measurements, in one run:

1. One document per contact: letters per second of `MergeTemplate.render`
   against docx-mailmerge2, which needs a new `MailMerge` per letter because its
   `merge` replaces the fields in place (a second `merge` on the same object
   changes nothing). Both produce .docx bytes in memory.
2. Combined document: letters per second of `CombinedDocumentWriter` against
   docx-mailmerge2's `merge_templates(..., separator="page_break")`, both
   written to a file.
3. Zip of documents: `ZipOfDocumentsWriter` with many letters, for each count in
   a fresh child process (multiprocessing "spawn"), whose peak resident memory
   (VmHWM on Linux) is reported, imports included. Equal peaks for 10,000 and
   100,000 letters show that memory does not grow with the letter count.

The template is Business Central's Contact_Thanksnote_GDL_GB.docx from the shared
test data when present, else a generated one with the same nine fields.

    python -m benchmarks.merge          # 2,000 letters, zips of 10,000 and 100,000
    python -m benchmarks.merge --letters 200 --zip-letters 1000 5000
"""

from __future__ import annotations

import argparse
import io
import logging
import multiprocessing
import platform
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from segments_module.merge import (
    CombinedDocumentWriter,
    MergeTemplate,
    ZipOfDocumentsWriter,
)

logger = logging.getLogger(__name__)

SHARED_TEMPLATE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "templates"
    / "bc_word_templates"
    / "Contact_Thanksnote_GDL_GB.docx"
)
FIELDS = (
    "Company_Information_Phone_No",
    "First_Name",
    "Name",
    "Address",
    "City",
    "State",
    "ZIP_Code",
    "CountryRegion_Code",
    "Email",
)
MIN_SINGLE_RATIO = 3.0
MIN_COMBINED_RATIO = 1.0
MAX_ZIP_PEAK_MB = 300.0


def generated_template() -> bytes:
    """Return a letter with the nine fields as complex fields, like Word writes."""
    document = docx.Document()
    document.add_paragraph("Thank you for registering with us.")
    for name in FIELDS:
        field = (
            f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">{name}: </w:t>'
            '</w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText'
            f' xml:space="preserve"> MERGEFIELD {name} </w:instrText></w:r><w:r>'
            '<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>'
            f'«{name}»</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
        document.element.body[-1].addprevious(parse_xml(field))
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def load_template() -> tuple[bytes, str]:
    if SHARED_TEMPLATE.exists():
        return SHARED_TEMPLATE.read_bytes(), SHARED_TEMPLATE.name
    return generated_template(), "generated template (shared data not found)"


def contact_values(number: int) -> dict[str, str]:
    return {
        "Company_Information_Phone_No": "+44 0207 123 4567",
        "First_Name": f"Anna{number}",
        "Name": f"Anna{number} Smith & Sons",
        "Address": f"{number} High Street",
        "City": "London",
        "State": "Greater London",
        "ZIP_Code": f"W1 {number % 10}AA",
        "CountryRegion_Code": "GB",
        "Email": f"anna{number}@example.com",
    }


def rate(letters: int, seconds: float) -> float:
    return letters / seconds if seconds else float("inf")


# 1. One document per contact -----------------------------------------------------


def time_single_product(data: bytes, letters: int) -> float:
    started = time.perf_counter()
    template = MergeTemplate.from_bytes(data, "benchmark")
    for number in range(letters):
        template.render(contact_values(number))
    return time.perf_counter() - started


def time_single_baseline(data: bytes, letters: int) -> float:
    from mailmerge import MailMerge

    started = time.perf_counter()
    for number in range(letters):
        with MailMerge(io.BytesIO(data)) as merge:
            merge.merge(**contact_values(number))
            merge.write(io.BytesIO())
    return time.perf_counter() - started


# 2. Combined document ------------------------------------------------------------


def time_combined_product(data: bytes, letters: int, folder: Path) -> float:
    started = time.perf_counter()
    template = MergeTemplate.from_bytes(data, "benchmark")
    with CombinedDocumentWriter(folder / "combined_product.docx") as writer:
        for number in range(letters):
            writer.add(template, contact_values(number))
    return time.perf_counter() - started


def time_combined_baseline(data: bytes, letters: int, folder: Path) -> float:
    from mailmerge import MailMerge

    started = time.perf_counter()
    with MailMerge(io.BytesIO(data)) as merge:
        merge.merge_templates(
            [contact_values(number) for number in range(letters)],
            separator="page_break",
        )
        merge.write(str(folder / "combined_baseline.docx"))
    return time.perf_counter() - started


# 3. Zip of documents, in a child process -----------------------------------------


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process in MB (1 MB = 2**20 bytes).

    On Linux this is VmHWM from /proc/self/status. getrusage's ru_maxrss keeps
    the high-water mark from before execve, so in a child started with "spawn"
    (fork, then exec) it is at least the parent's resident memory at the fork.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    # NOTE: elsewhere ru_maxrss is used; macOS reports it in bytes, not KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def zip_in_child(data: bytes, letters: int, path: str) -> tuple[float, float, int]:
    """Write `letters` letters into a zip; return seconds, peak MB and zip size."""
    started = time.perf_counter()
    template = MergeTemplate.from_bytes(data, "benchmark")
    with ZipOfDocumentsWriter(path) as writer:
        for number in range(letters):
            writer.add(f"CT{number:07d}.docx", template, contact_values(number))
    seconds = time.perf_counter() - started
    return seconds, peak_rss_mb(), Path(path).stat().st_size


def run_zip(data: bytes, letters: int, folder: Path) -> tuple[float, float, int]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        path = str(folder / "letters.zip")
        return pool.submit(zip_in_child, data, letters, path).result()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--letters",
        type=int,
        default=2000,
        help="letters per single-document and combined run (default: %(default)s)",
    )
    parser.add_argument(
        "--zip-letters",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        metavar="COUNT",
        help="letter counts of the zips whose peak memory is measured, one child"
        " process each (default: 10000 100000)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("segments_module").setLevel(logging.WARNING)

    data, source = load_template()
    print(f"template: {source}")
    print(f"machine: {multiprocessing.cpu_count()} CPUs, {platform.machine()}")
    letters = args.letters

    with tempfile.TemporaryDirectory(prefix="merge-bench-") as temporary:
        folder = Path(temporary)
        single_product = time_single_product(data, letters)
        single_baseline = time_single_baseline(data, letters)
        combined_product = time_combined_product(data, letters, folder)
        combined_baseline = time_combined_baseline(data, letters, folder)
        zip_runs = [
            (count, *run_zip(data, count, folder)) for count in args.zip_letters
        ]

    single_ratio = single_baseline / single_product
    combined_ratio = combined_baseline / combined_product
    rows = [
        (
            "one document per contact",
            rate(letters, single_product),
            rate(letters, single_baseline),
            single_ratio,
            f">= {MIN_SINGLE_RATIO}",
            single_ratio >= MIN_SINGLE_RATIO,
        ),
        (
            "combined document",
            rate(letters, combined_product),
            rate(letters, combined_baseline),
            combined_ratio,
            f">= {MIN_COMBINED_RATIO}",
            combined_ratio >= MIN_COMBINED_RATIO,
        ),
    ]
    print(f"\n{letters:,} letters per run\n")
    print(
        "| output | product letters/s | docx-mailmerge2 letters/s | ratio | target |"
        " result |"
    )
    print("|---|--:|--:|--:|--:|---|")
    for name, product, baseline, ratio, target, passed in rows:
        print(
            f"| {name} | {product:,.0f} | {baseline:,.0f} | {ratio:.1f} | {target} |"
            f" {'pass' if passed else 'FAIL'} |"
        )
    print()
    for count, zip_seconds, zip_peak_mb, zip_bytes in zip_runs:
        zip_passed = zip_peak_mb < MAX_ZIP_PEAK_MB
        print(
            f"zip of {count:,} letters: {zip_seconds:.1f} s"
            f" ({rate(count, zip_seconds):,.0f} letters/s),"
            f" {zip_bytes / 1e6:,.0f} MB on disk, peak RSS {zip_peak_mb:.0f} MB"
            f" (target < {MAX_ZIP_PEAK_MB:.0f} MB): {'pass' if zip_passed else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
